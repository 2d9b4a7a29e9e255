/* libxml2's encoding.h pulls in the system ICU headers when built with ICU, and those clash with the
 * ICU that Foundation ships (_FoundationICU) in any Swift module importing both. Quill only holds
 * pointers to xmlCharEncodingHandler and never reads its fields, whose tail is all that differs. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xmlerror.h>
#include <string.h>
#include <stdio.h>

/*
 * Quill's hardened XML read. Kept in C because the hooks are libxml2 SAX callbacks that get the
 * parser context as their only argument; everything they record lands in a report owned by the
 * caller (through ctxt->_private), so parses on several threads never share state and the
 * process-wide error handler is never touched.
 */

typedef struct {
    int entityDeclared;          /* 1 when the document declared an entity: parsing was stopped */
    char entityName[128];
    int entityLine;
    int errorCount;
    int firstErrorLine;
    int firstErrorCode;
    char firstErrorMessage[256];
    char firstErrorElement[128];
} QuillXMLReport;

static void quill_xml_copy(char *dst, size_t size, const char *src) {
    if (!src) { dst[0] = 0; return; }
    snprintf(dst, size, "%s", src);
}

/* Any <!ENTITY …> (general or parameter, internal or external) stops the parse: entity
 * declarations are how XXE and billion-laughs files work, and a CDA document never needs one. */
static void quill_xml_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *publicId,
                                  const xmlChar *systemId, xmlChar *content) {
    (void)type; (void)publicId; (void)systemId; (void)content;
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    QuillXMLReport *report = ctxt ? (QuillXMLReport *)ctxt->_private : NULL;
    if (report && !report->entityDeclared) {
        report->entityDeclared = 1;
        quill_xml_copy(report->entityName, sizeof report->entityName, (const char *)name);
        report->entityLine = (ctxt->input) ? ctxt->input->line : 0;
    }
    if (ctxt) xmlStopParser(ctxt);
}

/* Per-context structured error handler: keeps the first error (the one that explains the rest). */
static void quill_xml_error(void *userData, xmlErrorPtr error) {
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)userData;
    QuillXMLReport *report = ctxt ? (QuillXMLReport *)ctxt->_private : NULL;
    if (!report || !error || error->level < XML_ERR_ERROR) return;
    report->errorCount++;
    if (report->errorCount > 1) return;
    report->firstErrorLine = error->line;
    report->firstErrorCode = error->code;
    quill_xml_copy(report->firstErrorMessage, sizeof report->firstErrorMessage, error->message);
    if (ctxt->node && ctxt->node->name)
        quill_xml_copy(report->firstErrorElement, sizeof report->firstErrorElement, (const char *)ctxt->node->name);
    else if (ctxt->name)
        quill_xml_copy(report->firstErrorElement, sizeof report->firstErrorElement, (const char *)ctxt->name);
}

/*
 * Parses UTF-8 bytes into a tree with: no network (XML_PARSE_NONET), no DTD loading and no entity
 * substitution (XML_PARSE_DTDLOAD and XML_PARSE_NOENT are never set), entity declarations refused,
 * errors collected per context, libxml2's own depth and amplification limits left on (no
 * XML_PARSE_HUGE). Returns NULL when the document is refused or broken; the report says why.
 */
static inline xmlDocPtr quill_xml_read_utf8(const char *buffer, int size, QuillXMLReport *report) {
    memset(report, 0, sizeof *report);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) { report->errorCount = 1; quill_xml_copy(report->firstErrorMessage, sizeof report->firstErrorMessage, "out of memory"); return NULL; }
    ctxt->_private = report;
    ctxt->sax->entityDecl = quill_xml_entity_decl;
    ctxt->sax->serror = quill_xml_error;
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES | XML_PARSE_IGNORE_ENC;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buffer, size, "document.xml", "UTF-8", options);
    if (doc && (report->entityDeclared || !ctxt->wellFormed)) { xmlFreeDoc(doc); doc = NULL; }
    if (!doc && !report->entityDeclared && report->errorCount == 0) {
        report->errorCount = 1;
        quill_xml_copy(report->firstErrorMessage, sizeof report->firstErrorMessage, "the parser gave up without a message");
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

/* Called once before any parse: libxml2 wants its globals set up on one thread first. */
static inline void quill_xml_init(void) { xmlInitParser(); }
