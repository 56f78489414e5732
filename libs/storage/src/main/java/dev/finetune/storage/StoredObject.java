package dev.finetune.storage;

/** An object as written: its URI, the sha256 of its bytes (hex) and its size. */
public record StoredObject(ObjectUri uri, String sha256, long size) {
}
