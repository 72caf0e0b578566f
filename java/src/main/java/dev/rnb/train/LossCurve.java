package dev.rnb.train;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Training and evaluation loss per step, drawn to a PNG with JFreeChart (headless). */
public final class LossCurve {
    private final XYSeries train = new XYSeries("train loss");
    private final XYSeries eval = new XYSeries("eval loss");

    public void addTrain(int step, double loss) { train.add(step, loss); }

    public void addEval(int step, double loss) { eval.add(step, loss); }

    /** Writes the chart (width x height pixels) atomically to {@code file}. */
    public void writePng(Path file, String title, int width, int height) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(train);
        if (eval.getItemCount() > 0) {
            data.addSeries(eval);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "step", "loss (nats per byte)", data,
                PlotOrientation.VERTICAL, true, false, false);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            ChartUtils.saveChartAsPNG(tmp.toFile(), chart, width, height);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
