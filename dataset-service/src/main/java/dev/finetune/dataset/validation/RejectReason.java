package dev.finetune.dataset.validation;

/** Why a row was quarantined instead of becoming an example. The code is what reports and quarantine say. */
public enum RejectReason {
    INVALID_UTF8("invalid-utf8"),
    MISSING_TEXT("missing-text"),
    TEXT_SHAPE("text-shape"),
    EMPTY_TEXT("empty-text"),
    TEXT_TOO_LONG("text-too-long"),
    MISSING_LABEL("missing-label"),
    LABEL_SHAPE("label-shape"),
    LABEL_TOO_LONG("label-too-long"),
    WRONG_FIELD_COUNT("wrong-field-count"),
    DUPLICATE("duplicate"),
    DUPLICATE_AFTER_NORMALISATION("duplicate-after-normalisation"),
    CONFLICTING_LABEL("conflicting-label");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
