package dev.finetune.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.evaluation.scoring.ScoreSheet;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The pictures are well-formed SVG carrying the numbers they show, whatever the label names contain. */
class SvgTests {

    @Test
    void confusionMatrixIsWellFormedAndEscapesLabels() throws Exception {
        String svg = Svg.confusionMatrix("Confusion matrix", List.of("a<b", "R&D"), new int[][] {{5, 1}, {2, 7}});
        Document document = parse(svg);
        assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(document.getElementsByTagName("rect").getLength()).isEqualTo(1 + 4);
        assertThat(document.getDocumentElement().getTextContent()).contains("a<b", "R&D", "5", "7");
    }

    @Test
    void reliabilityDiagramHasOneBarPerNonEmptyBin() throws Exception {
        ScoreSheet sheet = ScoreSheet.of(List.of("x", "y"), new int[] {0, 1, 1},
                new float[][] {{0.9f, 0.1f}, {0.55f, 0.45f}, {0.2f, 0.8f}});
        String svg = Svg.reliabilityDiagram("Reliability", sheet.calibration(), sheet.metrics().expectedCalibrationError());
        Document document = parse(svg);
        // background, frame, and three non-empty bins (0.9, 0.55, 0.8)
        assertThat(document.getElementsByTagName("rect").getLength()).isEqualTo(2 + 3);
        assertThat(svg).contains("ECE");
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
}
