package dev.finetune.evaluation.scoring;

import java.util.List;

/**
 * Text-length buckets for slicing: a model that is good on average can still fail on short or on long texts
 * (truncation at the model's max length hits long ones first). Lengths are in characters (code points).
 */
public record LengthBuckets(int mediumFromChars, int longFromChars) {

    public static final String SHORT = "short";
    public static final String MEDIUM = "medium";
    public static final String LONG = "long";
    public static final List<String> NAMES = List.of(SHORT, MEDIUM, LONG);

    public LengthBuckets {
        if (mediumFromChars < 1 || longFromChars <= mediumFromChars) {
            throw new IllegalArgumentException("length buckets need 0 < medium-from-chars < long-from-chars, got "
                    + mediumFromChars + " and " + longFromChars);
        }
    }

    public String bucket(String text) {
        int length = text.codePointCount(0, text.length());
        return length < mediumFromChars ? SHORT : length < longFromChars ? MEDIUM : LONG;
    }
}
