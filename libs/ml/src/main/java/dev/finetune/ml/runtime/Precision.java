package dev.finetune.ml.runtime;

import java.util.Locale;

/**
 * How the engine computes float32 matrix products. {@code FP32} computes them in float32; {@code BF16_MATMUL}
 * lets libtorch run them as oneDNN bfloat16 GEMMs (weights, activations and everything else stay float32, only
 * the products' inputs are rounded), about 2.4x the product throughput on CPUs with native bf16;
 * {@code AUTO} is {@code BF16_MATMUL} where the CPU has native bf16 and {@code FP32} elsewhere.
 */
public enum Precision {
    AUTO, FP32, BF16_MATMUL;

    /** The setting's spelling: {@code auto}, {@code fp32}, {@code bf16-matmul}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #label()}; anything else is refused with the accepted values. */
    public static Precision of(String label) {
        for (Precision p : values()) {
            if (p.label().equals(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision must be one of auto, fp32, bf16-matmul, not " + label);
    }
}
