package dev.finetune.training.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChunkPipeTests {

    private static byte[] data(int size) {
        byte[] bytes = new byte[size];
        new Random(7).nextBytes(bytes);
        return bytes;
    }

    @Test
    void bytesArriveWholeAndInOrderAcrossReaderThreadsThatEnd() throws Exception {
        // The reader reads each part on a fresh thread that ends afterwards, as the MinIO client's pool
        // threads do; a PipedInputStream fails the writer with "Read end dead" there.
        byte[] expected = data(10 * 1024 + 17);
        ChunkPipe pipe = new ChunkPipe(1024, 2);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = pipe.output()) {
                for (int i = 0; i < expected.length; i += 333) {
                    out.write(expected, i, Math.min(333, expected.length - i));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, Executors.newSingleThreadExecutor());
        InputStream in = pipe.input();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (true) {
            ExecutorService part = Executors.newSingleThreadExecutor();
            byte[] buffer = part.submit(() -> in.readNBytes(1500)).get(10, TimeUnit.SECONDS);
            part.shutdown();
            assertThat(part.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            received.write(buffer);
            if (buffer.length < 1500) {
                break;
            }
        }
        writer.get(10, TimeUnit.SECONDS);
        assertThat(received.toByteArray()).isEqualTo(expected);
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void aFailedWriterIsAnErrorForTheReaderNotTheEndOfTheStream() throws Exception {
        ChunkPipe pipe = new ChunkPipe(1024, 4);
        OutputStream out = pipe.output();
        out.write(data(1500));
        pipe.abort(new IOException("disk on fire"));
        InputStream in = pipe.input();
        assertThatThrownBy(() -> in.readAllBytes()).isInstanceOf(IOException.class).hasMessageContaining("disk on fire");
    }

    @Test
    void aReaderThatGivesUpUnblocksTheWriter() throws Exception {
        ChunkPipe pipe = new ChunkPipe(1024, 1);
        InputStream in = pipe.input();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = pipe.output()) {
                out.write(data(1024 * 1024)); // far more than the pipe holds
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, Executors.newSingleThreadExecutor());
        in.readNBytes(100);
        in.close();
        assertThatThrownBy(() -> writer.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IOException.class)
                .rootCause().hasMessageContaining("reader closed");
    }
}
