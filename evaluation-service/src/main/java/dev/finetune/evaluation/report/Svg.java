package dev.finetune.evaluation.report;

import dev.finetune.evaluation.scoring.CalibrationBin;
import java.util.List;
import java.util.Locale;

/**
 * The report's two pictures as standalone SVG, written by hand (a few rectangles and labels need no charting
 * library): a confusion matrix and a reliability diagram, both readable in any browser.
 */
public final class Svg {

    private static final int CELL = 56;
    private static final int MARGIN = 120;

    private Svg() {
    }

    /** Rows: true label, columns: predicted label; cells shaded by the row's share, with the count written in. */
    public static String confusionMatrix(String title, List<String> labels, int[][] confusion) {
        int c = labels.size();
        int width = MARGIN + c * CELL + 20;
        int height = MARGIN + c * CELL + 40;
        StringBuilder svg = header(width, height);
        text(svg, width / 2.0, 20, "middle", 14, title);
        text(svg, MARGIN + c * CELL / 2.0, height - 10, "middle", 12, "predicted label");
        svg.append(String.format(Locale.ROOT,
                "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 %.1f)\">"
                        + "true label</text>%n", MARGIN + c * CELL / 2.0, MARGIN + c * CELL / 2.0));
        for (int k = 0; k < c; k++) {
            text(svg, MARGIN + k * CELL + CELL / 2.0, MARGIN - 8, "middle", 11, labels.get(k));
            text(svg, MARGIN - 8, MARGIN + k * CELL + CELL / 2.0 + 4, "end", 11, labels.get(k));
        }
        for (int row = 0; row < c; row++) {
            int total = 0;
            for (int col = 0; col < c; col++) {
                total += confusion[row][col];
            }
            for (int col = 0; col < c; col++) {
                double share = total == 0 ? 0 : (double) confusion[row][col] / total;
                int shade = (int) Math.round(255 - share * 200);
                String fill = row == col ? rgb(shade, 255, shade) : rgb(255, shade, shade);
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#888\"/>%n",
                        MARGIN + col * CELL, MARGIN + row * CELL, CELL, CELL, fill));
                text(svg, MARGIN + col * CELL + CELL / 2.0, MARGIN + row * CELL + CELL / 2.0 + 5, "middle", 13,
                        Integer.toString(confusion[row][col]));
            }
        }
        return svg.append("</svg>\n").toString();
    }

    /** Accuracy against mean confidence per bin; a calibrated model's bars reach the diagonal. */
    public static String reliabilityDiagram(String title, List<CalibrationBin> bins, double ece) {
        int plot = 300;
        int left = 60;
        int top = 40;
        int width = left + plot + 30;
        int height = top + plot + 60;
        StringBuilder svg = header(width, height);
        text(svg, width / 2.0, 20, "middle", 14, title + String.format(Locale.ROOT, " (ECE %.4f)", ece));
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
                left, top, plot, plot));
        double barWidth = (double) plot / bins.size();
        for (int b = 0; b < bins.size(); b++) {
            CalibrationBin bin = bins.get(b);
            if (bin.count() == 0) {
                continue;
            }
            double barHeight = bin.accuracy() * plot;
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a7ebb\" stroke=\"#fff\">"
                            + "<title>confidence %.2f-%.2f: %d predictions, accuracy %.3f, mean confidence %.3f</title>"
                            + "</rect>%n",
                    left + b * barWidth, top + plot - barHeight, barWidth, barHeight, bin.lower(), bin.upper(),
                    bin.count(), bin.accuracy(), bin.meanConfidence()));
        }
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c33\" stroke-dasharray=\"4 3\"/>%n",
                left, top + plot, left + plot, top));
        for (int tick = 0; tick <= 10; tick += 2) {
            double at = tick / 10.0;
            text(svg, left + at * plot, top + plot + 16, "middle", 10, String.format(Locale.ROOT, "%.1f", at));
            text(svg, left - 6, top + plot - at * plot + 4, "end", 10, String.format(Locale.ROOT, "%.1f", at));
        }
        text(svg, left + plot / 2.0, top + plot + 40, "middle", 12, "confidence of the predicted label");
        svg.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 %.1f)\">"
                        + "accuracy</text>%n", top + plot / 2.0, top + plot / 2.0));
        return svg.append("</svg>\n").toString();
    }

    private static StringBuilder header(int width, int height) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\">%n", width, height, width, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        return svg;
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, int size, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x, y, anchor, size, escape(content)));
    }

    private static String rgb(int r, int g, int b) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
