package dev.finetune.ml.packaging;

import dev.finetune.ml.train.TrainingState;
import dev.finetune.ml.weights.FloatTensor;
import dev.finetune.ml.weights.TensorIO;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A self-contained model: a zip of model.json (metadata, label map), weights.bin, tokenizer.json and,
 * for a checkpoint that can resume, training-state.json and optimizer.bin; plus content.sha256 over
 * all of them. Written to and read from streams, so services can put it in S3 without temporary files.
 */
public final class ModelPackage {

    public static final String METADATA = "model.json";
    public static final String WEIGHTS = "weights.bin";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TRAINING_STATE = "training-state.json";
    public static final String OPTIMIZER = "optimizer.bin";
    public static final String SHA256 = "content.sha256";

    private static final java.time.LocalDateTime ZIP_TIME = java.time.LocalDateTime.of(1980, 1, 1, 0, 0);

    private final Map<String, byte[]> entries; // sorted by name: the order of the digest
    private final String sha256;
    private final ModelMetadata metadata;

    private ModelPackage(Map<String, byte[]> entries) {
        this.entries = entries;
        this.sha256 = digest(entries);
        this.metadata = Json.GSON.fromJson(new String(require(METADATA), StandardCharsets.UTF_8), ModelMetadata.class);
    }

    /**
     * Builds a package. {@code state} and {@code optimizer} are null for a package that only serves
     * predictions; both are present for a checkpoint that training can resume from.
     */
    public static ModelPackage create(ModelMetadata metadata, Map<String, FloatTensor> weights, byte[] tokenizerJson,
            TrainingState state, Map<String, FloatTensor> optimizer) {
        Map<String, byte[]> entries = new TreeMap<>();
        entries.put(METADATA, Json.GSON.toJson(metadata).getBytes(StandardCharsets.UTF_8));
        entries.put(WEIGHTS, TensorIO.toBytes(weights));
        entries.put(TOKENIZER, tokenizerJson.clone());
        if ((state == null) != (optimizer == null)) {
            throw new IllegalArgumentException("training state and optimizer state go together");
        }
        if (state != null) {
            entries.put(TRAINING_STATE, Json.GSON.toJson(state).getBytes(StandardCharsets.UTF_8));
            entries.put(OPTIMIZER, TensorIO.toBytes(optimizer));
        }
        return new ModelPackage(entries);
    }

    /** Reads a package written by {@link #writeTo}, verifying its sha256. Does not close {@code in}. */
    public static ModelPackage readFrom(InputStream in) throws IOException {
        ZipInputStream zip = new ZipInputStream(in);
        Map<String, byte[]> entries = new TreeMap<>();
        String expected = null;
        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
            byte[] content = zip.readAllBytes();
            if (e.getName().equals(SHA256)) {
                expected = new String(content, StandardCharsets.US_ASCII).trim();
            } else {
                entries.put(e.getName(), content);
            }
        }
        if (!entries.containsKey(METADATA) || !entries.containsKey(WEIGHTS) || !entries.containsKey(TOKENIZER)) {
            throw new IOException("not a model package: needs " + METADATA + ", " + WEIGHTS + " and " + TOKENIZER
                    + ", found " + entries.keySet());
        }
        ModelPackage modelPackage = new ModelPackage(entries);
        if (expected == null || !expected.equals(modelPackage.sha256)) {
            throw new IOException("model package content does not match its sha256: recorded " + expected
                    + ", computed " + modelPackage.sha256);
        }
        return modelPackage;
    }

    /** Writes the zip to {@code out} (which is flushed, not closed). */
    public void writeTo(OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            // Float weights barely compress; spend no time on them.
            zip.setLevel(e.getKey().endsWith(".bin") ? Deflater.NO_COMPRESSION : Deflater.BEST_SPEED);
            zip.putNextEntry(entry(e.getKey()));
            zip.write(e.getValue());
            zip.closeEntry();
        }
        zip.putNextEntry(entry(SHA256));
        zip.write((sha256 + "\n").getBytes(StandardCharsets.US_ASCII));
        zip.closeEntry();
        zip.finish();
        out.flush();
    }

    /** A fixed timestamp, so the same content always gives the same zip bytes (and the same S3 ETag). */
    private static ZipEntry entry(String name) {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(ZIP_TIME);
        return entry;
    }

    /** Hex sha256 over every entry's name and content (in name order), not over zip bytes. */
    public String sha256() {
        return sha256;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    /** Label names; the model's output k is {@code labels().get(k)}. */
    public List<String> labels() {
        return metadata.labels();
    }

    /** The weights by name (decoded on each call). */
    public Map<String, FloatTensor> weights() {
        return tensors(WEIGHTS);
    }

    public byte[] tokenizerJson() {
        return require(TOKENIZER).clone();
    }

    /** Present when training can resume from this package. */
    public Optional<TrainingState> trainingState() {
        byte[] state = entries.get(TRAINING_STATE);
        return state == null ? Optional.empty()
                : Optional.of(Json.GSON.fromJson(new String(state, StandardCharsets.UTF_8), TrainingState.class));
    }

    /** AdamW moments by name ("m/NAME", "v/NAME"); empty when not resumable. */
    public Map<String, FloatTensor> optimizerState() {
        return entries.containsKey(OPTIMIZER) ? tensors(OPTIMIZER) : Map.of();
    }

    public boolean resumable() {
        return entries.containsKey(TRAINING_STATE);
    }

    /** The same model without training state: what a registry serves. Shares the weight bytes. */
    public ModelPackage withoutTrainingState() {
        if (!resumable()) {
            return this;
        }
        Map<String, byte[]> copy = new TreeMap<>(entries);
        copy.remove(TRAINING_STATE);
        copy.remove(OPTIMIZER);
        return new ModelPackage(copy);
    }

    /** Total bytes of the entries (about the zip's size: weights are stored uncompressed). */
    public long sizeBytes() {
        return entries.values().stream().mapToLong(b -> b.length).sum();
    }

    private Map<String, FloatTensor> tensors(String entry) {
        try {
            return TensorIO.read(new ByteArrayInputStream(require(entry)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode " + entry + " of model package " + sha256, e);
        }
    }

    private byte[] require(String name) {
        byte[] content = entries.get(name);
        if (content == null) {
            throw new IllegalStateException("model package has no " + name);
        }
        return content;
    }

    private static String digest(Map<String, byte[]> entries) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(java.nio.ByteBuffer.allocate(8).putLong(e.getValue().length).array());
                sha.update(e.getValue());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
