package dev.finetune.ml.runtime;

import ai.djl.ndarray.NDManager;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Sets libtorch's float32 matmul precision, which DJL 0.36 does not expose, through the C++ symbols of the
 * {@code libtorch_cpu.so} that DJL loaded. The setting is global to the process (libtorch keeps it in its
 * global context), so it is applied once, where a process starts its model work, not per run.
 *
 * <p>The mangled names belong to libtorch 2.7.1; where they are missing (another libtorch, another
 * platform) or the CPU has no native bf16, the request falls back to {@link Precision#FP32} with a warning,
 * and {@link #apply} returns what is really in effect, read back from libtorch.
 */
public final class MatmulPrecision {

    private static final System.Logger LOG = System.getLogger(MatmulPrecision.class.getName());
    private static Optional<Torch> torch;
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET = "_ZN2at7Context25setFloat32MatmulPrecisionENS_22Float32MatmulPrecisionE";
    private static final String GET = "_ZNK2at7Context22float32MatmulPrecisionEv";
    private static final int HIGHEST = 0; // at::Float32MatmulPrecision::HIGHEST: plain float32
    private static final int MEDIUM = 2;  // MEDIUM: bfloat16 products where the CPU supports them

    private MatmulPrecision() {
    }

    /** Applies {@code requested} to this process and returns the precision now in effect. */
    public static synchronized Precision apply(Precision requested) {
        Precision wanted = requested == Precision.AUTO
                ? (cpuHasNativeBf16() ? Precision.BF16_MATMUL : Precision.FP32)
                : requested;
        if (wanted == Precision.BF16_MATMUL && !cpuHasNativeBf16()) {
            LOG.log(System.Logger.Level.WARNING, "precision bf16-matmul requested, but this CPU has no native bf16 (avx512_bf16 or "
                    + "amx_bf16): using fp32");
            wanted = Precision.FP32;
        }
        Optional<Torch> torch = torch();
        if (torch.isEmpty()) {
            if (wanted != Precision.FP32) {
                LOG.log(System.Logger.Level.WARNING, "libtorch's matmul precision cannot be set here (libtorch_cpu.so or its 2.7.1 "
                        + "symbols not found): using fp32");
            }
            return Precision.FP32;
        }
        torch.get().set(wanted == Precision.BF16_MATMUL ? MEDIUM : HIGHEST);
        return current();
    }

    /** The precision libtorch computes float32 products in now, read back from libtorch. */
    public static synchronized Precision current() {
        return torch().map(t -> t.get() == MEDIUM ? Precision.BF16_MATMUL : Precision.FP32)
                .orElse(Precision.FP32);
    }

    private static Optional<Torch> torch() {
        if (torch == null) {
            torch = Torch.find();
        }
        return torch;
    }

    /** Whether the CPU computes bfloat16 products natively (AVX-512 BF16 or AMX), from /proc/cpuinfo. */
    public static boolean cpuHasNativeBf16() {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            return info.contains(" avx512_bf16") || info.contains(" amx_bf16");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The three symbols of the loaded libtorch. */
    private record Torch(Pointer context, Function setter, Function getter) {

        static Optional<Torch> find() {
            try (NDManager manager = NDManager.newBaseManager()) {
                manager.zeros(new ai.djl.ndarray.types.Shape(1)); // loads the engine, and with it libtorch
            }
            Optional<Path> library = loadedLibrary("libtorch_cpu.so");
            if (library.isEmpty()) {
                return Optional.empty();
            }
            try {
                NativeLibrary torch = NativeLibrary.getInstance(library.get().toString());
                Pointer context = torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
                return Optional.of(new Torch(context, torch.getFunction(SET), torch.getFunction(GET)));
            } catch (UnsatisfiedLinkError e) {
                return Optional.empty();
            }
        }

        void set(int precision) {
            setter.invokeVoid(new Object[] {context, precision});
        }

        int get() {
            return getter.invokeInt(new Object[] {context});
        }

        /** The path of a shared library this process has mapped, from /proc/self/maps. */
        private static Optional<Path> loadedLibrary(String name) {
            try {
                List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
                return maps.stream().filter(l -> l.endsWith("/" + name)).map(l -> l.substring(l.indexOf('/')))
                        .map(Path::of).findFirst();
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }
}
