using System.CommandLine;
using System.Text.Json;
using Portico.Core.Explaining;

namespace Portico.Cli;

/// <summary>
/// `portico explain`: which virtual host, Ingress, rule and path serve one request, what the proxy does with it and
/// what else matched and lost. Built from the same model the renderers translate, under the same settings flags.
/// </summary>
internal static class ExplainCommand
{
    private static readonly Option<string> Url = new("--url") { Description = "The request: http(s)://HOST[:PORT]/PATH[?QUERY].", Required = true };

    private static readonly Option<string> Method = new("--method") { Description = "HTTP method (default GET)." };

    private static readonly Option<string[]> Headers = new("--header", "-H") { Description = "Request header 'Name: value' (repeatable; Host overrides the URL's host).", Arity = ArgumentArity.ZeroOrMore };

    private static readonly Option<string> Output = new("--output") { Description = "text (default) or json." };

    public static Command Create()
    {
        var command = new Command("explain", "Explain which Ingress rule serves a request and what the proxy answers. Exit 0 explained, 2 unusable input.");
        InputOptions.AddTo(command);
        command.Add(Url);
        command.Add(Method);
        command.Add(Headers);
        command.Add(Output);
        command.SetAction(parseResult =>
        {
            ExplainRequest request;
            OutputFormat format;
            try
            {
                request = ExplainRequest.Parse(parseResult.GetRequiredValue(Url), parseResult.GetValue(Method), parseResult.GetValue(Headers));
                format = ParseFormat(parseResult.GetValue(Output), OutputFormat.Text, OutputFormat.Json);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("portico: " + e.Message);
                return ExitCodes.Unusable;
            }

            return OfflineCommandRunner.Run(parseResult, Console.Error, (_, result) =>
            {
                var explanation = RequestExplainer.Explain(result.Model, request);
                Console.Out.Write(format == OutputFormat.Json ? Json(explanation) : ExplanationText.Format(request, explanation));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    /// <summary>Indented, and readable: the relaxed encoder leaves quotes and non-ASCII as they are (the output is not embedded in HTML).</summary>
    public static string Json(Explanation explanation)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            ExplanationJson.Write(json, explanation);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The --output value among <paramref name="allowed"/>; the first is the default. Throws ArgumentException naming the choices.</summary>
    public static OutputFormat ParseFormat(string? value, params OutputFormat[] allowed)
    {
        if (value is null)
        {
            return allowed[0];
        }

        foreach (var format in allowed)
        {
            if (string.Equals(value, format.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return format;
            }
        }

        throw new ArgumentException($"--output must be one of {string.Join(", ", allowed.Select(f => f.ToString().ToLowerInvariant()))}, not \"{value}\"");
    }
}
