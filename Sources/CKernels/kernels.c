// Block-quantized and dense kernels; see the files of this folder.
