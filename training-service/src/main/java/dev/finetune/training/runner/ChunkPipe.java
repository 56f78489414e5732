package dev.finetune.training.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded in-memory pipe from one writer to one reader, each on whatever threads it likes.
 * {@link java.io.PipedInputStream} fails a write with "Read end dead" once the last thread that read from
 * it has ended, and the MinIO client reads an upload's parts on pool threads that come and go: a
 * checkpoint upload failed that way under load. Unlike a piped stream, a writer that fails never looks
 * like a finished stream to the reader: the reader gets an {@link IOException}, so a half-written package
 * is never stored as if whole.
 */
final class ChunkPipe {

    private static final byte[] END = new byte[0];
    private static final byte[] FAILED = new byte[0];

    private final BlockingQueue<byte[]> chunks;
    private final int chunkSize;
    private volatile boolean readerClosed;
    private volatile Throwable writerFailure;

    ChunkPipe(int chunkSize, int chunksInFlight) {
        this.chunkSize = chunkSize;
        this.chunks = new ArrayBlockingQueue<>(chunksInFlight + 2); // + room for the end or failure marker
    }

    /** The writer's end: {@code close()} marks the end of the stream; on failure call {@link #abort} instead. */
    OutputStream output() {
        return new Output();
    }

    /** The reader's end: {@code close()} tells the writer nobody reads any more. */
    InputStream input() {
        return new Input();
    }

    /** The writer failed: the reader's next read throws instead of seeing the end of a truncated stream. */
    void abort(Throwable failure) {
        writerFailure = failure;
        chunks.clear(); // makes room for the marker; what was not read yet is worthless now
        chunks.offer(FAILED);
    }

    private final class Output extends OutputStream {
        private byte[] chunk = new byte[chunkSize];
        private int filled;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, chunkSize - filled);
                System.arraycopy(b, off, chunk, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == chunkSize) {
                    hand(chunk);
                    chunk = new byte[chunkSize];
                    filled = 0;
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (filled > 0) {
                byte[] last = new byte[filled];
                System.arraycopy(chunk, 0, last, 0, filled);
                hand(last);
            }
            hand(END);
        }

        private void hand(byte[] data) throws IOException {
            try {
                while (!chunks.offer(data, 100, TimeUnit.MILLISECONDS)) {
                    if (readerClosed) {
                        throw new IOException("the reader closed the pipe before the end of the stream");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing to the pipe");
            }
        }
    }

    private final class Input extends InputStream {
        private byte[] current = new byte[0];
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position == current.length) {
                if (ended) {
                    return -1;
                }
                next();
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }

        private void next() throws IOException {
            byte[] chunk;
            try {
                chunk = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading from the pipe");
            }
            if (chunk == FAILED || writerFailure != null) {
                throw new IOException("the writer failed: " + writerFailure, writerFailure);
            }
            if (chunk == END) {
                ended = true;
            }
            current = chunk;
            position = 0;
        }

        @Override
        public void close() {
            readerClosed = true;
        }
    }
}
