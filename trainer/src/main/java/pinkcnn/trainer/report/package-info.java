/**
 * What a training run reports: {@link pinkcnn.trainer.report.ClassificationMetrics} (accuracy, macro-F1, per-class
 * scores, confusion matrix), {@link pinkcnn.trainer.report.MetricsCsv} (the per-epoch log, metrics.csv),
 * {@link pinkcnn.trainer.report.Report} (report.json and report.md, with baselines and the console summary) and
 * {@link pinkcnn.trainer.report.Plots} (curves.png and confusion.png). All files are written atomically.
 */
package pinkcnn.trainer.report;
