package dev.rnb.embed;

import java.util.Locale;

/**
 * --embedder-device: where ONNX Runtime runs the neural embedder. The
 * default onnxruntime jar has the CPU provider only; the CUDA provider comes
 * with the onnxruntime_gpu jar (the onnxruntime-gpu Maven profile), which
 * also needs CUDA 12 and cuDNN 9 on the machine.
 */
public enum EmbedderDevice {
    /** CUDA where its provider loads, else the CPU, saying why. */
    AUTO,
    /** The CPU provider, even where CUDA would load. */
    CPU,
    /** The CUDA provider or an error (exit 6), never a silent CPU run. */
    CUDA;

    public static EmbedderDevice parse(String s) {
        for (EmbedderDevice v : values()) {
            if (v.toString().equals(s)) return v;
        }
        throw new IllegalArgumentException("--embedder-device must be auto, cpu or cuda, got \"" + s + "\"");
    }

    @Override
    public String toString() { return name().toLowerCase(Locale.ROOT); }
}
