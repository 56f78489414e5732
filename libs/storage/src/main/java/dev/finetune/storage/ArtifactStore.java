package dev.finetune.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The platform's artifact store over the MinIO SDK, against any S3 endpoint (MinIO in production,
 * S3Proxy locally). Objects are streamed, never buffered whole, and every write reports its sha256
 * so events can carry it for verification downstream.
 */
public final class ArtifactStore {

    /** Multipart part size: large enough for few parts, small enough to stream a 200 MB upload. */
    private static final long PART_SIZE = 8L * 1024 * 1024;

    private final MinioClient client;
    private final String bucket;

    public ArtifactStore(StorageSettings settings) {
        this.client = MinioClient.builder()
                .endpoint(settings.endpoint())
                .credentials(settings.accessKey(), settings.secretKey())
                .region(settings.region())
                .build();
        this.bucket = settings.bucket();
    }

    public String bucket() {
        return bucket;
    }

    /** The URI an object of this store has under {@code key}. */
    public ObjectUri uri(String key) {
        return new ObjectUri(bucket, key);
    }

    /** Creates the bucket when it does not exist yet; safe to call from every instance at start-up. */
    public void ensureBucket() {
        call("create bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                } catch (ErrorResponseException e) {
                    // Another instance created it between our check and our call.
                    if (!"BucketAlreadyOwnedByYou".equals(e.errorResponse().code())
                            && !"BucketAlreadyExists".equals(e.errorResponse().code())) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    /** Whether the store answers and the bucket exists; what health checks ask. */
    public boolean reachable() {
        try {
            return client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        } catch (Exception e) {
            return false;
        }
    }

    /** Streams {@code data} of unknown length to {@code key} (multipart), returning its sha256 and size. */
    public StoredObject put(String key, InputStream data, String contentType) {
        MessageDigest sha256 = sha256();
        CountingInputStream counted = new CountingInputStream(new DigestInputStream(data, sha256));
        call("put " + uri(key), () -> client.putObject(PutObjectArgs.builder()
                .bucket(bucket).object(key).contentType(contentType)
                .stream(counted, -1, PART_SIZE).build()));
        return new StoredObject(uri(key), HexFormat.of().formatHex(sha256.digest()), counted.count());
    }

    public StoredObject put(String key, byte[] data, String contentType) {
        return put(key, new ByteArrayInputStream(data), contentType);
    }

    /** Opens an object for reading; the caller closes the stream. */
    public InputStream open(ObjectUri uri) {
        return call("get " + uri, () -> client.getObject(GetObjectArgs.builder()
                .bucket(uri.bucket()).object(uri.key()).build()));
    }

    public byte[] read(ObjectUri uri) {
        try (InputStream in = open(uri)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new StorageException("read " + uri + " failed", e);
        }
    }

    /** Copies an object into {@code out}, returning the sha256 of what was read. */
    public String copyTo(ObjectUri uri, OutputStream out) {
        MessageDigest sha256 = sha256();
        try (InputStream in = new DigestInputStream(open(uri), sha256)) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new StorageException("read " + uri + " failed", e);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** Size of an object, or empty when it does not exist. */
    public Optional<Long> size(ObjectUri uri) {
        try {
            return Optional.of(client.statObject(StatObjectArgs.builder()
                    .bucket(uri.bucket()).object(uri.key()).build()).size());
        } catch (ErrorResponseException e) {
            if (missing(e)) {
                return Optional.empty();
            }
            throw new StorageException("stat " + uri + " failed", e);
        } catch (Exception e) {
            throw new StorageException("stat " + uri + " failed", e);
        }
    }

    public boolean exists(ObjectUri uri) {
        return size(uri).isPresent();
    }

    /** Keys of the objects under a prefix, recursively; folder markers some backends report are left out. */
    public List<String> list(String prefix) {
        return call("list " + uri(prefix), () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket).prefix(prefix).recursive(true).build())) {
                Item item = result.get();
                if (!item.isDir() && !item.objectName().endsWith("/")) {
                    keys.add(item.objectName());
                }
            }
            return keys;
        });
    }

    public void delete(ObjectUri uri) {
        call("delete " + uri, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(uri.bucket()).object(uri.key()).build());
            return null;
        });
    }

    private static boolean missing(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NoSuchBucket".equals(code);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static <T> T call(String what, MinioCall<T> call) {
        try {
            return call.run();
        } catch (ErrorResponseException e) {
            String message = what + " failed: " + e.getMessage();
            throw missing(e) ? new MissingObjectException(message, e) : new StorageException(message, e);
        } catch (Exception e) {
            throw new StorageException(what + " failed: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface MinioCall<T> {
        T run() throws Exception;
    }
}
