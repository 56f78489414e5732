package dev.finetune.support.access;

import dev.finetune.support.problem.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling, as the verified bearer token says: the subject the audit records, the teams the caller acts
 * for and whether it is an administrator. The one place the services ask "may this caller act on what team X
 * owns"; the roles an endpoint needs are on the endpoint ({@code @RolesAllowed}).
 */
@RequestScoped
public class Caller {

    private final SecurityIdentity identity;
    private final AccessSettings settings;

    @Inject
    public Caller(SecurityIdentity identity, AccessSettings settings) {
        this.identity = identity;
        this.settings = settings;
    }

    /** The token's subject ({@code sub}): what the audit records as the actor, never a field of a body. */
    public String subject() {
        if (identity.getPrincipal() instanceof JsonWebToken token && token.getSubject() != null) {
            return token.getSubject();
        }
        return identity.getPrincipal().getName();
    }

    /** The teams named by the token's teams claim, without a group path's leading slash. */
    public Set<String> teams() {
        Set<String> teams = new TreeSet<>();
        if (identity.getPrincipal() instanceof JsonWebToken token) {
            Object claim = token.getClaim(settings.teamsClaim());
            if (claim instanceof Collection<?> values) {
                values.forEach(v -> teams.add(name(v)));
            } else if (claim != null) {
                teams.add(name(claim));
            }
        }
        return teams;
    }

    public boolean isAdmin() {
        return identity.hasRole(Roles.ADMIN);
    }

    /** Whether the caller may read what {@code team} owns: its own team, an admin, or any when reading across is on. */
    public boolean canRead(String team) {
        return isAdmin() || settings.readAcrossTeams() || teams().contains(team);
    }

    /**
     * The teams whose things the caller may read, for filtering a list in the query; {@code null} when it may read
     * every team's (an admin, or reading across teams is on).
     */
    public Set<String> readableTeams() {
        return isAdmin() || settings.readAcrossTeams() ? null : teams();
    }

    /** Refuses (404, as if it did not exist) what the caller may not read, so names of other teams do not leak. */
    public void checkRead(String team, String what) {
        if (!canRead(team)) {
            throw new ProblemException(404, "not-found", "Not Found", what + " does not exist");
        }
    }

    /** Refuses (403) to change what another team owns; an admin acts everywhere. */
    public void checkWrite(String team, String what) {
        if (!isAdmin() && !teams().contains(team)) {
            throw new ProblemException(403, "team-forbidden", "Owned by another team", what + " belongs to team '"
                    + team + "'; you act for " + (teams().isEmpty() ? "no team" : "teams " + teams()))
                    .with("team", team);
        }
    }

    /**
     * The team that will own something the caller creates: the one it names ({@code requested}, which must be one
     * of its own unless it is an admin), else its only team. A caller of several teams, or an admin, names one.
     */
    public String owningTeam(String requested) {
        Set<String> teams = teams();
        if (requested != null && !requested.isBlank()) {
            if (!isAdmin() && !teams.contains(requested)) {
                throw new ProblemException(403, "team-forbidden", "Owned by another team", "you act for "
                        + (teams.isEmpty() ? "no team" : "teams " + teams) + ", not for team '" + requested + "'")
                        .with("team", requested);
            }
            return requested;
        }
        if (teams.size() == 1) {
            return teams.iterator().next();
        }
        throw new ProblemException(400, "team-required", "Name the owning team", teams.isEmpty()
                ? "you act for no team: name the team that will own it with ?team="
                : "you act for teams " + teams + ": name the one that will own it with ?team=")
                .with("teams", List.copyOf(teams));
    }

    private static String name(Object group) {
        String name = String.valueOf(group);
        return name.startsWith("/") ? name.substring(name.lastIndexOf('/') + 1) : name;
    }
}
