package dev.finetune.registry.domain;

/**
 * A version's package whose SHA-256 is not the one registered with it: what the store holds is not what was
 * evaluated, so it is never served. Not transient (an {@link IllegalStateException}): reading it again gives the
 * same bytes until someone replaces them.
 */
public class PackageUnverified extends IllegalStateException {

    private final String model;
    private final int version;

    public PackageUnverified(String model, int version, String actualSha256, String registeredSha256) {
        super("the package of " + model + " v" + version + " has sha256 " + actualSha256
                + ", not the registered " + registeredSha256 + "; it is never served");
        this.model = model;
        this.version = version;
    }

    public String model() {
        return model;
    }

    public int version() {
        return version;
    }
}
