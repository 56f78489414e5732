package dev.finetune.support.access;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How teams see each other's data sets and models; the same setting in every service. */
@ConfigMapping(prefix = "access")
public interface AccessSettings {

    /**
     * Whether a reader of one team may read (list, get, download) another team's data sets, runs, evaluations
     * and models. Contributing and approving stay within one's own teams whatever this says.
     */
    @WithDefault("false")
    boolean readAcrossTeams();

    /** The token claim that names the caller's teams (Keycloak's group mapper writes {@code groups}). */
    @WithDefault("groups")
    String teamsClaim();
}
