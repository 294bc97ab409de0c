using System.Globalization;

namespace Portico.Bench.Operator;

/// <summary>A scrape of /metrics in the Prometheus text format: sample lines as (name, labels, value).</summary>
internal sealed class PrometheusText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    public PrometheusText(string text)
    {
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            string key = line[..space];
            int brace = key.IndexOf('{', StringComparison.Ordinal);
            string name = brace < 0 ? key : key[..brace];
            string labels = brace < 0 ? string.Empty : key[(brace + 1)..^1];
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                _samples.Add((name, labels, value));
            }
        }
    }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels contain <paramref name="labelPart"/> (e.g. result="success").</summary>
    public double Sum(string name, string labelPart = "") =>
        _samples.Where(s => s.Name == name && s.Labels.Contains(labelPart, StringComparison.Ordinal)).Sum(s => s.Value);

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    /// <summary>Mean of a histogram in milliseconds (sum / count), NaN when empty.</summary>
    public double MeanMs(string histogram)
    {
        double count = Sum(histogram + "_count");
        return count == 0 ? double.NaN : Sum(histogram + "_sum") / count * 1000;
    }

    /// <summary>The mean of a histogram's observations between two scrapes, in milliseconds.</summary>
    public static double MeanMs(PrometheusText before, PrometheusText after, string histogram)
    {
        double count = after.Sum(histogram + "_count") - before.Sum(histogram + "_count");
        return count == 0 ? double.NaN : (after.Sum(histogram + "_sum") - before.Sum(histogram + "_sum")) / count * 1000;
    }
}
