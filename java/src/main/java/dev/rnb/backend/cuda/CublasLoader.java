package dev.rnb.backend.cuda;

/**
 * Picks the cuBLAS binding that loads: JCublas2 needs CUDA 12's
 * libcublas.so.12; the Bytedeco presets need CUDA 13's libcublas.so.13.
 */
final class CublasLoader {
    private CublasLoader() {}

    static DeviceBlas open() {
        Throwable first;
        try {
            return new JCublasBlas();
        } catch (Throwable e) {
            first = e;
        }
        try {
            return new BytedecoCublasBlas();
        } catch (Throwable second) {
            throw new CudaException("no cuBLAS: JCublas2 (CUDA 12) failed with " + first
                    + "; Bytedeco cuBLAS (CUDA 13) failed with " + second);
        }
    }
}
