package dev.finetune.storage;

/**
 * An {@code s3://bucket/key} URI, the only way services refer to each other's artifacts.
 */
public record ObjectUri(String bucket, String key) {

    private static final String SCHEME = "s3://";

    public ObjectUri {
        if (bucket == null || bucket.isBlank() || key == null || key.isBlank()) {
            throw new IllegalArgumentException("an object URI needs a bucket and a key");
        }
    }

    public static ObjectUri parse(String uri) {
        if (uri == null || !uri.startsWith(SCHEME)) {
            throw new IllegalArgumentException("not an s3:// URI: " + uri);
        }
        String rest = uri.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("s3 URI needs a bucket and a key: " + uri);
        }
        return new ObjectUri(rest.substring(0, slash), rest.substring(slash + 1));
    }

    @Override
    public String toString() {
        return SCHEME + bucket + "/" + key;
    }
}
