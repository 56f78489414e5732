package dev.finetune.registry.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a rollback goes, from production's audit alone. */
class RollbackTargetTests {

    @Test
    void repeatedRollbacksWalkBackThroughEveryEarlierProductionAndThenStop() {
        List<AliasMove> moves = new ArrayList<>();
        moves.add(move(null, 1, "POLICY"));
        moves.add(move(1, 2, "POLICY"));
        moves.add(move(2, 3, "MANUAL"));
        assertThat(Registry.earlierProduction(moves)).isEqualTo(2);
        moves.add(move(3, 2, "ROLLBACK"));
        assertThat(Registry.earlierProduction(moves)).isEqualTo(1);
        moves.add(move(2, 1, "ROLLBACK"));
        assertThat(Registry.earlierProduction(moves)).isNull();
    }

    @Test
    void aPromotionAfterARollbackIsUndoneFirst() {
        List<AliasMove> moves = new ArrayList<>(List.of(move(null, 1, "POLICY"), move(1, 2, "POLICY"),
                move(2, 1, "ROLLBACK"), move(1, 3, "MANUAL")));
        assertThat(Registry.earlierProduction(moves)).isEqualTo(1);
        moves.add(move(3, 1, "ROLLBACK"));
        assertThat(Registry.earlierProduction(moves)).isNull();
    }

    @Test
    void theFirstProductionHasNothingBeforeIt() {
        assertThat(Registry.earlierProduction(List.of())).isNull();
        assertThat(Registry.earlierProduction(List.of(move(null, 1, "MANUAL")))).isNull();
    }

    private static AliasMove move(Integer from, int to, String trigger) {
        AliasMove move = new AliasMove();
        move.fromVersion = from;
        move.toVersion = to;
        move.trigger = trigger;
        return move;
    }
}
