using System.Text;
using UnitEconomics.Books.Focus;
using UnitEconomics.Books.Focus.Check;
using UnitEconomics.Books.Focus.Export;
using UnitEconomics.Books.Focus.Files;
using Xunit;

namespace UnitEconomics.Books.Tests.Focus;

/// <summary>Malformed FOCUS files are refused with one line naming the file, the row and the column.</summary>
public sealed class FocusConformanceTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("focus-check-").FullName;

    public static TheoryData<string, string, string> Breaches() => new()
    {
        // column, bad value, the expected message after "FILE: "
        { FocusSpec.BilledCost, "12,50", "row 2, column BilledCost: '12,50' is not a decimal number" },
        { FocusSpec.BilledCost, "$3", "row 2, column BilledCost: '$3' is not a decimal number" },
        { FocusSpec.BilledCost, "+3", "row 2, column BilledCost: '+3' is not a decimal number" },
        { FocusSpec.BilledCost, string.Empty, "row 2, column BilledCost: is null, which FOCUS 1.2 forbids" },
        { FocusSpec.ChargePeriodStart, "2026-10-05 00:00:00", "row 2, column ChargePeriodStart: '2026-10-05 00:00:00' is not in the FOCUS date/time format YYYY-MM-DDTHH:mm:ssZ" },
        { FocusSpec.ChargePeriodEnd, "2026-10-04T00:00:00Z", "row 2, column ChargePeriodEnd: 2026-10-04T00:00:00Z is before ChargePeriodStart 2026-10-05T00:00:00Z" },
        { FocusSpec.BillingCurrency, "USX", "row 2, column BillingCurrency: 'USX' is not an ISO 4217 currency code" },
        { FocusSpec.ChargeCategory, "Use", "row 2, column ChargeCategory: 'Use' is not one of 'Adjustment', 'Credit', 'Purchase', 'Tax', 'Usage'" },
        { FocusSpec.ChargeClass, "Refund", "row 2, column ChargeClass: 'Refund' is not allowed: ChargeClass is null or 'Correction'" },
        { FocusSpec.ServiceCategory, "AI", "row 2, column ServiceCategory: 'AI' is not one of" },
        { FocusSpec.PricingQuantity, string.Empty, "row 2, column PricingQuantity: is null, but ChargeCategory is 'Usage' and the row is not a correction" },
        { FocusSpec.PricingUnit, string.Empty, "row 2, column PricingUnit: is null, but PricingQuantity is not" },
        { FocusSpec.ProviderName, string.Empty, "row 2, column ProviderName: is null, which FOCUS 1.2 forbids" },
    };

    [Theory]
    [MemberData(nameof(Breaches))]
    public async Task A_bad_value_is_refused_naming_row_and_column(string column, string value, string expected)
    {
        var file = await this.ExportWithAsync(column, value);
        var ex = await Assert.ThrowsAsync<FocusFormatException>(async () => FocusConformance.Check(await FocusFileReader.ReadAsync(file)));
        Assert.StartsWith($"{file}: {expected}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(2, ex.Row);
        Assert.Equal(column, ex.Column);
    }

    [Fact]
    public async Task A_missing_mandatory_column_is_refused()
    {
        var file = await this.ExportWithAsync(FocusSpec.BilledCost, "1");
        var lines = await File.ReadAllLinesAsync(file);
        await File.WriteAllLinesAsync(file, lines.Select(l => string.Join(',', l.Split(',').Skip(1)))); // drops the header's first column, BilledCost (the rows go ragged too, but the header is judged first)
        var ex = await Assert.ThrowsAsync<FocusFormatException>(async () => FocusConformance.Check(await FocusFileReader.ReadAsync(file)));
        Assert.Equal($"{file}: column BilledCost: missing (FOCUS 1.2 mandatory)", ex.Message);
    }

    [Fact]
    public async Task Broken_files_are_refused_with_one_line()
    {
        var ragged = Path.Combine(this.folder, "ragged.csv");
        await File.WriteAllTextAsync(ragged, "BilledCost,BillingCurrency\n1,USD\n2\n");
        var ex = await Assert.ThrowsAsync<FocusFormatException>(() => FocusFileReader.ReadAsync(ragged));
        Assert.StartsWith($"{ragged}: is not a readable CSV file", ex.Message, StringComparison.Ordinal);

        var parquet = Path.Combine(this.folder, "truncated.parquet");
        await FocusFileWriter.WriteAsync(FocusAiExport.Build([Line()]), parquet, FocusFileFormat.Parquet);
        var bytes = await File.ReadAllBytesAsync(parquet);
        await File.WriteAllBytesAsync(parquet, bytes[..(bytes.Length / 2)]);
        ex = await Assert.ThrowsAsync<FocusFormatException>(() => FocusFileReader.ReadAsync(parquet));
        Assert.True(ex.Message.StartsWith($"{parquet}: is not a readable Parquet file", StringComparison.Ordinal), ex.Message);
        Assert.DoesNotContain('\n', ex.Message);

        var empty = Path.Combine(this.folder, "empty.csv");
        await File.WriteAllTextAsync(empty, string.Empty);
        ex = await Assert.ThrowsAsync<FocusFormatException>(() => FocusFileReader.ReadAsync(empty));
        Assert.Equal($"{empty}: is empty: a FOCUS CSV starts with a header of column names", ex.Message);

        var missing = Path.Combine(this.folder, "nope.csv");
        ex = await Assert.ThrowsAsync<FocusFormatException>(() => FocusFileReader.ReadAsync(missing));
        Assert.Equal($"{missing}: file not found", ex.Message);
    }

    [Fact]
    public async Task A_parquet_null_where_the_spec_forbids_one_is_refused()
    {
        var output = FocusAiExport.Build([Line()]);
        var provider = output.Columns.Select(c => c.Name).ToList().IndexOf(FocusSpec.ProviderName);
        output.Rows[0][provider] = null;
        var columns = output.Columns.Select(c => c.Name == FocusSpec.ProviderName ? c with { AllowsNulls = true } : c).ToList();
        var file = Path.Combine(this.folder, "null.parquet");
        await FocusFileWriter.WriteAsync(new FocusOutput(columns, output.Rows), file, FocusFileFormat.Parquet);
        var ex = await Assert.ThrowsAsync<FocusFormatException>(async () => FocusConformance.Check(await FocusFileReader.ReadAsync(file)));
        Assert.Equal($"{file}: row 1, column ProviderName: is null, which FOCUS 1.2 forbids", ex.Message);
    }

    [Fact]
    public async Task Ue_export_focus_check_says_conforms_or_names_the_breach_in_one_line()
    {
        var good = Path.Combine(this.folder, "good.csv");
        await FocusFileWriter.WriteAsync(FocusAiExport.Build([Line()]), good, FocusFileFormat.Csv);
        var (code, stdout, stderr) = await RunUeAsync("export", "focus", "--check", good);
        Assert.Equal(0, code);
        Assert.StartsWith($"{good}: conforms to FOCUS 1.2 (1 rows, 37 columns", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);

        var bad = await this.ExportWithAsync(FocusSpec.BillingCurrency, "usd");
        (code, stdout, stderr) = await RunUeAsync("export", "focus", "--check", bad);
        Assert.Equal(1, code);
        Assert.Equal($"ue: {bad}: row 2, column BillingCurrency: 'usd' is not an ISO 4217 currency code\n", stderr.ReplaceLineEndings("\n"));
        Assert.Empty(stdout);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunUeAsync(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(UnitEconomics.TestSupport.RepoPaths.UeAssembly);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private static AiCostLine Line(int day = 5) =>
        new(new DateTime(2026, 10, day, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 10, day + 1, 0, 0, 0, DateTimeKind.Utc),
            "acme", "pro", "openai", "gpt-4o", "support", "estimated", 0.0045m, 1, new LineTokens(1_000, 0, 0, 200, 0));

    /// <summary>A two-row export as CSV whose second row has <paramref name="value"/> in <paramref name="column"/> (an empty value is a null).</summary>
    private async Task<string> ExportWithAsync(string column, string value)
    {
        var file = Path.Combine(this.folder, Guid.NewGuid().ToString("N") + ".csv");
        await FocusFileWriter.WriteAsync(FocusAiExport.Build([Line(4), Line(5)]), file, FocusFileFormat.Csv);
        var table = await FocusFileReader.ReadAsync(file);
        var index = table.Columns.ToList().IndexOf(column);
        table.Rows[1][index] = value.Length == 0 ? null : value;
        var text = new StringBuilder().AppendLine(string.Join(',', table.Columns));
        foreach (var row in table.Rows)
        {
            text.AppendLine(string.Join(',', row.Select(v => v is null ? string.Empty : "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")));
        }

        await File.WriteAllTextAsync(file, text.ToString());
        return file;
    }

    public void Dispose() => Directory.Delete(this.folder, recursive: true);
}
