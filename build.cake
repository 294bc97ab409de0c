// Portico's build: `./build.sh --target=<Target>`. Targets: Build, Test (default), RenderExamples, Clean.
#nullable enable
using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var testFilter = Argument("filter", string.Empty);
var artifacts = Directory("./artifacts");
var testResults = artifacts + Directory("test-results");
var summaryFile = testResults + File("summary.txt");

Task("Clean").Does(() =>
{
    CleanDirectory(artifacts);
    DotNetClean("./Operator.sln", new DotNetCleanSettings { Configuration = configuration });
});

Task("Build").Does(() =>
{
    DotNetBuild("./Operator.sln", new DotNetBuildSettings { Configuration = configuration });
});

// The tests run a real nginx with Debian's Lua module (reload-free endpoints, docs/adr/0007). Install them when
// missing and we may (root with apt-get); otherwise say what to do.
Task("EnsureNginx").Does(() =>
{
    if (Exec("sh", "-c \"(command -v nginx || test -x /usr/sbin/nginx) && test -f /usr/lib/nginx/modules/ngx_http_lua_module.so\"") == 0)
    {
        return;
    }

    if (Exec("sh", "-c \"[ $(id -u) -eq 0 ] && command -v apt-get\"") == 0)
    {
        Information("nginx or its Lua module is missing: installing them with apt-get");
        if (Exec("sh", "-c \"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-lua openssl >/dev/null\"") == 0)
        {
            return;
        }
    }

    throw new Exception("The tests need nginx (1.22 or later) on PATH or at /usr/sbin/nginx, with its Lua module in /usr/lib/nginx/modules. Install them (Debian: apt-get install -y nginx libnginx-mod-http-lua) and run again.");
});

Task("Test").IsDependentOn("Build").IsDependentOn("EnsureNginx").Does(() =>
{
    CleanDirectory(testResults);
    var settings = new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        ResultsDirectory = testResults,
        Loggers = new[] { "trx", "console;verbosity=minimal" },
        Filter = string.IsNullOrEmpty(testFilter) ? null : testFilter,
    };
    Exception? failure = null;
    try
    {
        DotNetTest("./Operator.sln", settings);
    }
    catch (Exception e)
    {
        failure = e;
    }

    // One closing line for CI, summed over every test assembly's TRX. A test that was not executed (skipped,
    // inconclusive) counts as failed: CI runs no skipped tests. An aborted run with no failure recorded counts one.
    long passed = 0, failed = 0;
    foreach (var trx in GetFiles(testResults.Path.FullPath + "/**/*.trx"))
    {
        var counters = XDocument.Load(trx.FullPath).Descendants().First(e => e.Name.LocalName == "Counters");
        long Count(string name) => long.Parse(counters.Attribute(name)?.Value ?? "0");
        passed += Count("passed");
        failed += Count("failed") + Count("error") + Count("timeout") + Count("aborted") + Count("notExecuted") + Count("inconclusive");
    }

    if (failure is not null && failed == 0)
    {
        failed = 1;
    }

    var summary = $"{passed} passed, {failed} failed";
    System.IO.File.WriteAllText(summaryFile.Path.FullPath, summary + "\n");
    Information(summary);
    if (failed > 0)
    {
        throw new Exception($"tests failed: {summary}");
    }
});

Task("RenderExamples").IsDependentOn("Build").Does(() =>
{
    foreach (var proxy in new[] { "nginx", "envoy" })
    {
        var output = artifacts + Directory("examples") + Directory(proxy);
        var exit = Exec("dotnet", $"operator/src/Portico/bin/{configuration}/net10.0/portico.dll render --manifests manifests/examples --proxy {proxy} --out {output}");
        if (exit != 0)
        {
            throw new Exception($"portico render for {proxy} exited {exit}");
        }
    }
});

Task("Default").IsDependentOn("Test");

RunTarget(target);

int Exec(string file, string arguments) =>
    StartProcess(file, new ProcessSettings { Arguments = arguments });
