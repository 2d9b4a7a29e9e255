/// Clinical documents in: text notes, dialogues, HL7 v2 and CDA R2 become one ClinicalDocument.
public enum ClinicalDocumentsModule {}
