package dev.finetune.ml.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The precision setting reaches libtorch (read back from its global context), falls back to fp32 where the
 * CPU has no native bf16, and keeps products of MiniLM's shape accurate. On the AVX-512 BF16 CPUs of this
 * project's machines (no AMX), libtorch's "medium" precision sends float32 products to oneDNN kernels whose
 * results stay at float32 accuracy (measured: max error 8e-5 against float64 on a 2048x384 by 384x1536
 * product of standard normals, where rounding the inputs to bf16 would err by about 0.1).
 */
class MatmulPrecisionTests {

    @AfterEach
    void backToFp32() {
        MatmulPrecision.apply(Precision.FP32); // global to the process: the other tests expect the default
    }

    @Test
    void fp32IsInEffectOnceApplied() {
        MatmulPrecision.apply(Precision.BF16_MATMUL);
        assertThat(MatmulPrecision.apply(Precision.FP32)).isEqualTo(Precision.FP32);
        assertThat(MatmulPrecision.current()).isEqualTo(Precision.FP32);
        assertThat(productError()).isLessThan(1e-3);
    }

    @Test
    void bf16MatmulIsInEffectWhereTheCpuHasNativeBf16AndFp32Elsewhere() {
        Precision effective = MatmulPrecision.apply(Precision.BF16_MATMUL);
        Precision expected = MatmulPrecision.cpuHasNativeBf16() ? Precision.BF16_MATMUL : Precision.FP32;
        assertThat(effective).isEqualTo(expected);
        assertThat(MatmulPrecision.current()).isEqualTo(expected);
        assertThat(productError()).isLessThan(1e-3);
    }

    @Test
    void autoIsBf16MatmulExactlyWhereTheCpuHasNativeBf16() {
        assertThat(MatmulPrecision.apply(Precision.AUTO))
                .isEqualTo(MatmulPrecision.cpuHasNativeBf16() ? Precision.BF16_MATMUL : Precision.FP32);
    }

    @Test
    void labelsAreTheSettingsSpelling() {
        assertThat(Precision.of("bf16-matmul")).isEqualTo(Precision.BF16_MATMUL);
        assertThat(Precision.BF16_MATMUL.label()).isEqualTo("bf16-matmul");
        assertThatThrownBy(() -> Precision.of("bf16")).hasMessageContaining("auto, fp32, bf16-matmul");
    }

    /** The largest error of a product of MiniLM's feed-forward shape, against the same product in float64. */
    private static double productError() {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(1);
            NDArray a = manager.randomNormal(new Shape(2048, 384));
            NDArray b = manager.randomNormal(new Shape(384, 1536));
            NDArray exact = a.toType(DataType.FLOAT64, true).matMul(b.toType(DataType.FLOAT64, true));
            return a.matMul(b).toType(DataType.FLOAT64, true).sub(exact).abs().max().getDouble();
        }
    }
}
