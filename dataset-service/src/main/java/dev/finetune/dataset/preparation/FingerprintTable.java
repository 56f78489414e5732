package dev.finetune.dataset.preparation;

import java.util.Arrays;

/**
 * Open-addressing table from a text fingerprint to what the build knows about that text: its first label
 * and raw hash in this input, the label and split it had in the previous version, and whether it has been
 * written yet. Primitive arrays only: about 70 bytes per entry, and it holds one spill partition at a time.
 */
final class FingerprintTable {

    static final byte PREVIOUS = 1;        // the text is in the previous version (and in this one, when appending)
    static final byte CONFLICT = 2;        // this input gives it more than one label
    static final byte EMITTED = 4;         // written to its split already
    static final byte PREVIOUS_ONLY_REFERENCE = 8; // replacing: the previous version fixes only its split

    private final long[] keys;
    private final boolean[] used;
    final int[] newLabel;
    final long[] newRaw;
    final long[] firstPosition;
    final int[] firstPartition;
    final byte[] flags;
    final byte[] previousSplit;
    final int[] previousLabel;
    private final int mask;

    FingerprintTable(int expectedEntries) {
        int capacity = Integer.highestOneBit(Math.max(16, expectedEntries * 2 - 1)) << 1;
        keys = new long[capacity];
        used = new boolean[capacity];
        newLabel = new int[capacity];
        Arrays.fill(newLabel, -1);
        newRaw = new long[capacity];
        firstPosition = new long[capacity];
        firstPartition = new int[capacity];
        flags = new byte[capacity];
        previousSplit = new byte[capacity];
        previousLabel = new int[capacity];
        mask = capacity - 1;
    }

    /** The slot of {@code key}, claimed when absent. */
    int slot(long key) {
        int i = mix(key) & mask;
        while (used[i]) {
            if (keys[i] == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = key;
        return i;
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
