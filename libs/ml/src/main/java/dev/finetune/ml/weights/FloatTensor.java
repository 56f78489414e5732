package dev.finetune.ml.weights;

import java.util.Arrays;

/**
 * A named-less float32 tensor held on the Java heap: the exchange format between the ONNX reader, the
 * model package and the native model, so none of them depends on the others.
 */
public record FloatTensor(long[] shape, float[] data) {

    public FloatTensor {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + size + " values, got " + data.length);
        }
    }

    /** Returns the length of dimension {@code i}. */
    public int dim(int i) {
        return (int) shape[i];
    }

    /** Returns the transpose of a 2-D tensor (ONNX stores linear weights as [in, out]; we use [out, in]). */
    public FloatTensor transpose2d() {
        if (shape.length != 2) {
            throw new IllegalStateException("transpose2d needs a 2-D tensor, shape is " + Arrays.toString(shape));
        }
        int rows = dim(0);
        int cols = dim(1);
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[r * cols + c];
            }
        }
        return new FloatTensor(new long[] {cols, rows}, out);
    }
}
