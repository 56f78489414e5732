package dev.finetune.dataset.validation;

import java.util.Locale;

/**
 * The normal form two texts are compared in: Unicode NFKC, lower case, runs of white space folded to one
 * space and trimmed. Duplicates are found and splits are assigned on this form, so "Great  product" and
 * "great product" are one example and always sit in the same split.
 */
public final class Normalizer {

    private Normalizer() {
    }

    public static String normalise(String text) {
        String nfkc = isAscii(text) ? text : java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC);
        String lower = nfkc.toLowerCase(Locale.ROOT);
        if (!needsSpaceFolding(lower)) {
            return lower;
        }
        StringBuilder out = new StringBuilder(lower.length());
        boolean pendingSpace = false;
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (isSpace(c)) {
                pendingSpace = out.length() > 0; // leading white space is dropped, trailing never flushed
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
                pendingSpace = false;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean needsSpaceFolding(String s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        if (isSpace(s.charAt(0)) || isSpace(s.charAt(n - 1))) {
            return true;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (isSpace(c) && (c != ' ' || isSpace(s.charAt(i + 1)))) {
                return true; // a space that is not a single ' ' (i + 1 exists: the last char is not a space)
            }
        }
        return false;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
