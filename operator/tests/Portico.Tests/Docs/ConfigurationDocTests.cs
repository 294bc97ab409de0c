using System.Collections;
using System.CommandLine;
using System.Reflection;
using Portico.Cli;
using Portico.Options;

namespace Portico.Tests.Docs;

/// <summary>
/// docs/configuration.md against the options code, both ways: every setting of <see cref="PorticoOptions"/> is
/// documented with its default and a working environment variable, every documented key exists, and each command's
/// documented flags are exactly the flags it has, mapped onto the keys the code maps them onto.
/// </summary>
public sealed class ConfigurationDocTests
{
    private const string SettingsFlagsRow = "settings flags";

    private static readonly MarkdownDoc Doc = MarkdownDoc.Load("docs/configuration.md");

    /// <summary>Documented settings by key: default, environment variable, flag.</summary>
    private static Dictionary<string, (string Default, string Variable, string Flag)> DocumentedSettings() =>
        MarkdownDoc.Table(Doc.Section("Settings"), "key").ToDictionary(
            row => Single(row[0]),
            row => (Single(row[1]), Single(row[2]), row[3] == "—" ? "—" : Single(row[3]).Split(' ')[0]));

    [Test]
    public void Every_setting_in_the_code_is_documented_with_its_default_and_every_documented_setting_exists()
    {
        var code = CodeSettings().ToDictionary(s => s.Key, s => Format(s.Default));
        var documented = DocumentedSettings().ToDictionary(d => d.Key, d => d.Value.Default);
        Assert.Multiple(() =>
        {
            Assert.That(documented.Keys.Except(code.Keys), Is.Empty, "documented keys the code does not have");
            Assert.That(code.Keys.Except(documented.Keys), Is.Empty, "settings of the code missing from the doc");
            foreach (var (key, value) in code.Where(c => documented.ContainsKey(c.Key)))
            {
                Assert.That(documented[key], Is.EqualTo(value), $"default of {key}");
            }
        });
    }

    [Test]
    public void Every_documented_environment_variable_sets_its_setting()
    {
        var settings = CodeSettings().ToDictionary(s => s.Key);
        Assert.Multiple(() =>
        {
            foreach (var (key, documented) in DocumentedSettings().Where(d => settings.ContainsKey(d.Key)))
            {
                var setting = settings[key];
                string expectedName = "PORTICO_" + key.Replace(".", "__", StringComparison.Ordinal).ToUpperInvariant() + (setting.Default is IList ? "__0" : string.Empty);
                Assert.That(documented.Variable, Is.EqualTo(expectedName), $"variable of {key}");
                string value = setting.Default switch
                {
                    bool b => b ? "false" : "true",
                    int => "7",
                    _ => "set-by-the-environment",
                };
                Environment.SetEnvironmentVariable(documented.Variable, value);
                try
                {
                    object? read = setting.Read(OptionsLoader.Load(null, new Dictionary<string, string?>()));
                    string actual = read is IList list ? string.Join(",", list.Cast<object>()) : Format(read);
                    Assert.That(actual, Is.EqualTo(value), $"{documented.Variable}={value} sets {key}");
                }
                finally
                {
                    Environment.SetEnvironmentVariable(documented.Variable, null);
                }
            }
        });
    }

    [Test]
    public void The_flag_of_each_setting_is_the_flag_the_code_maps_onto_it()
    {
        var code = AllMappedFlags().GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.Select(m => m.Flag).Distinct().Single());
        Assert.Multiple(() =>
        {
            foreach (var (key, documented) in DocumentedSettings())
            {
                Assert.That(documented.Flag, Is.EqualTo(code.GetValueOrDefault(key, "—")), $"flag of {key}");
            }
        });
    }

    [Test]
    public void The_shared_settings_flags_are_the_flags_every_command_shares()
    {
        var documented = MarkdownDoc.Table(Doc.Section("Commands and their flags"), "flag")
            .ToDictionary(row => Single(row[0]).Split(' ')[0], row => row[1].StartsWith('`') ? Single(row[1]) : "(file)");
        var code = InputOptions.Mapped.ToDictionary(m => m.Option.Name, m => DocKey(m.Key));
        code[InputOptions.Config.Name] = "(file)";
        Assert.That(documented, Is.EquivalentTo(code));
    }

    [TestCaseSource(nameof(Commands))]
    public void Each_command_documents_exactly_its_flags(string name)
    {
        var command = PorticoCli.Create().Subcommands.Single(c => c.Name == name);
        var rows = MarkdownDoc.Table(Doc.Section($"`portico {name}`"), "flag");
        var shared = new[] { InputOptions.Config }.Concat(InputOptions.Mapped.Select(m => m.Option)).Select(o => o.Name).ToList();
        var documented = new List<string>();
        var documentedKeys = new Dictionary<string, string>();
        foreach (var row in rows)
        {
            if (row[0] == SettingsFlagsRow)
            {
                documented.AddRange(shared);
                continue;
            }

            var names = MarkdownDoc.CodeSpans(row[0]).Select(span => span.Split(' ')[0]).ToList();
            documented.AddRange(names);
            documentedKeys[names[^1]] = row[1] == "—" ? "—" : Single(row[1]);
        }

        var own = command.Options.Where(o => o is not System.CommandLine.Help.HelpOption).ToList();
        var codeNames = own.SelectMany(o => o.Aliases.Prepend(o.Name)).ToList();
        var ownKeys = CommandMapped(name).ToDictionary(m => m.Option.Name, m => DocKey(m.Key));
        Assert.Multiple(() =>
        {
            Assert.That(documented, Is.EquivalentTo(codeNames), $"flags of portico {name}");
            foreach (var (flag, key) in documentedKeys)
            {
                Assert.That(key, Is.EqualTo(ownKeys.GetValueOrDefault(flag, "—")), $"key of portico {name} {flag}");
            }
        });
    }

    public static IEnumerable<string> Commands() => PorticoCli.Create().Subcommands.Select(c => c.Name);

    private static (Option Option, string Key)[] CommandMapped(string command) => command switch
    {
        "run" => RunCommand.Mapped,
        "bootstrap" => BootstrapCommand.Mapped,
        _ => [],
    };

    private static IEnumerable<(string Key, string Flag)> AllMappedFlags() =>
        InputOptions.Mapped.Concat(RunCommand.Mapped).Concat(BootstrapCommand.Mapped).Select(m => (DocKey(m.Key), m.Option.Name));

    private static string DocKey(string configKey) => configKey.Replace(':', '.');

    /// <summary>Every leaf of <see cref="PorticoOptions"/>: its key as documented, its default, and how to read it.</summary>
    private static List<(string Key, object? Default, Func<PorticoOptions, object?> Read)> CodeSettings()
    {
        var defaults = new PorticoOptions();
        var settings = new List<(string, object?, Func<PorticoOptions, object?>)>();
        foreach (var property in typeof(PorticoOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.PropertyType.IsNested && property.PropertyType.DeclaringType == typeof(PorticoOptions))
            {
                foreach (var leaf in property.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    object? section = property.GetValue(defaults);
                    settings.Add((Camel(property.Name) + "." + Camel(leaf.Name), leaf.GetValue(section), o => leaf.GetValue(property.GetValue(o))));
                }
            }
            else
            {
                settings.Add((Camel(property.Name), property.GetValue(defaults), o => property.GetValue(o)));
            }
        }

        return settings;
    }

    private static string Format(object? value) => value switch
    {
        string { Length: 0 } => "\"\"",
        string s => s,
        bool b => b ? "true" : "false",
        IList { Count: 0 } => "[]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static string Single(string cell)
    {
        var spans = MarkdownDoc.CodeSpans(cell);
        Assert.That(spans, Has.Count.EqualTo(1), $"one code span in the cell \"{cell}\"");
        return spans[0];
    }
}
