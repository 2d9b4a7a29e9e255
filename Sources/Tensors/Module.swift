/// Dense and block-quantized matrices and their kernels.
public enum TensorsModule {}
