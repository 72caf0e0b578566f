package dev.rnb.regroup;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** PNG of silhouette (left axis) and inertia (right axis) against k, drawn headless with JFreeChart. */
final class SweepPlot {
    private SweepPlot() {}

    static byte[] png(List<KSweep.Row> rows, int bestK) {
        System.setProperty("java.awt.headless", "true");
        XYSeries silhouette = new XYSeries("silhouette"), inertia = new XYSeries("inertia");
        for (KSweep.Row r : rows) {
            silhouette.add(r.k(), r.silhouette());
            inertia.add(r.k(), r.inertia());
        }
        NumberAxis kAxis = new NumberAxis("k (best: " + bestK + ")");
        kAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        kAxis.setAutoRangeIncludesZero(false);
        NumberAxis silhouetteAxis = new NumberAxis("silhouette");
        silhouetteAxis.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(new XYSeriesCollection(silhouette), kAxis, silhouetteAxis, renderer(Color.BLUE));
        NumberAxis inertiaAxis = new NumberAxis("inertia");
        inertiaAxis.setAutoRangeIncludesZero(false);
        plot.setRangeAxis(1, inertiaAxis);
        plot.setDataset(1, new XYSeriesCollection(inertia));
        plot.mapDatasetToRangeAxis(1, 1);
        plot.setRenderer(1, renderer(Color.RED));
        JFreeChart chart = new JFreeChart("Regroup: choosing k", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(out, chart, 900, 500);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static XYLineAndShapeRenderer renderer(Color color) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, color);
        return r;
    }
}
