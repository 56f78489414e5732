package dev.finetune.registry.domain;

/**
 * An evaluated candidate whose lineage belongs to another team than the model it names. Not transient (an
 * {@link IllegalArgumentException}, which the consumers' retry treats as poison): its record goes to the
 * dead-letter topic at once, with this message as the reason.
 */
public class CandidateOfAnotherTeam extends IllegalArgumentException {

    public CandidateOfAnotherTeam(String model, String owner, String team, String evaluationId) {
        super("team-mismatch: evaluation " + evaluationId + " of team " + team + " names model " + model
                + ", which belongs to team " + owner);
    }
}
