package dev.finetune.dataset.preparation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checksum of a version's content that does not depend on row order: the sum, modulo 2^256, of the SHA-256 of
 * every example ({@code text NUL label}), hashed once more with the count. Two versions holding the same
 * examples have the same checksum however the rows were ordered or split into files.
 */
final class ContentHash {

    private final long[] sum = new long[4]; // big-endian limbs
    private long count;

    void add(byte[] exampleSha256) {
        long carry = 0;
        for (int limb = 3; limb >= 0; limb--) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (exampleSha256[limb * 8 + i] & 0xFF);
            }
            long s = sum[limb] + v;
            long c1 = Long.compareUnsigned(s, sum[limb]) < 0 ? 1 : 0;
            long s2 = s + carry;
            long c2 = Long.compareUnsigned(s2, s) < 0 ? 1 : 0;
            sum[limb] = s2;
            carry = c1 + c2;
        }
        count++;
    }

    long count() {
        return count;
    }

    String hex() {
        StringBuilder material = new StringBuilder("finetune-dataset-content-v1:").append(count).append(':');
        for (long limb : sum) {
            material.append(String.format("%016x", limb));
        }
        return HexFormat.of().formatHex(sha256().digest(material.toString().getBytes(StandardCharsets.UTF_8)));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
