using System.Text.Json;
using UnitEconomics.Books.Focus.Files;

namespace UnitEconomics.Books.Focus.Check;

/// <summary>What a conformance check found in a file that passed it.</summary>
/// <param name="Source">The file.</param>
/// <param name="Rows">Its data rows.</param>
/// <param name="Columns">Its columns.</param>
/// <param name="CustomColumns">Its <c>x_</c> columns.</param>
public sealed record FocusCheckResult(string Source, int Rows, int Columns, IReadOnlyList<string> CustomColumns);

/// <summary>
/// Checks a FOCUS table against the rules of FOCUS 1.2 the project relies on, and stops at the first
/// breach with a <see cref="FocusFormatException"/> naming the row and the column: the mandatory columns
/// are present; decimals follow NumericFormat; date/times are ISO 8601 in UTC; BillingCurrency is an ISO
/// 4217 code; ChargeCategory, ChargeClass, ChargeFrequency and ServiceCategory hold allowed values;
/// columns that allow no null have none; PricingQuantity/PricingUnit and SkuId follow their conditional
/// nullability; periods do not end before they start; Tags is a JSON object.
/// </summary>
public static class FocusConformance
{
    /// <summary>The check of <c>ue export focus --check</c>: every mandatory column, strict formats.</summary>
    public static FocusCheckResult Check(FocusTable table) =>
        Check(table, FocusSpec.Mandatory.Select(c => c.Name), strictDateTimes: true);

    /// <summary>
    /// Checks <paramref name="table"/>: the <paramref name="required"/> columns must be present, and every
    /// FOCUS column that is present must hold valid values. <paramref name="strictDateTimes"/> insists on
    /// <c>YYYY-MM-DDTHH:mm:ssZ</c> exactly; otherwise fractions of a second and bare dates pass (as some
    /// providers write them).
    /// </summary>
    public static FocusCheckResult Check(FocusTable table, IEnumerable<string> required, bool strictDateTimes)
    {
        foreach (var column in required)
        {
            if (!table.Has(column))
            {
                var mandatory = FocusSpec.Known.TryGetValue(column, out var c) && c.Mandatory ? $" (FOCUS {FocusSpec.Version} mandatory)" : string.Empty;
                throw new FocusFormatException(table.Source, 0, column, $"missing{mandatory}");
            }
        }

        var present = table.Columns.Where(FocusSpec.Known.ContainsKey).Select(n => FocusSpec.Known[n]).ToList();
        for (var row = 0; row < table.Rows.Count; row++)
        {
            foreach (var column in present)
            {
                CheckValue(table, row, column, strictDateTimes);
            }

            CheckConditions(table, row);
        }

        return new FocusCheckResult(table.Source, table.Rows.Count, table.Columns.Count, [.. table.Columns.Where(c => c.StartsWith("x_", StringComparison.Ordinal))]);
    }

    private static void CheckValue(FocusTable table, int row, FocusColumn column, bool strictDateTimes)
    {
        var text = table.Text(row, column.Name);
        if (text is null)
        {
            if (!column.AllowsNulls)
            {
                throw table.Fail(row, column.Name, $"is null, which FOCUS {FocusSpec.Version} forbids");
            }

            return;
        }

        switch (column.Type)
        {
            case FocusType.Decimal:
                table.Decimal(row, column.Name);
                break;
            case FocusType.DateTime:
                if (strictDateTimes && !FocusValues.IsStrictDateTime(text))
                {
                    throw table.Fail(row, column.Name, $"'{FocusTable.Show(text)}' is not in the FOCUS date/time format YYYY-MM-DDTHH:mm:ssZ");
                }

                table.DateTime(row, column.Name);
                break;
            case FocusType.Json:
                CheckJsonObject(table, row, column.Name, text);
                break;
        }

        var allowed = column.Name switch
        {
            FocusSpec.ChargeCategory => FocusSpec.ChargeCategories,
            FocusSpec.ServiceCategory => FocusSpec.ServiceCategories,
            FocusSpec.ChargeFrequency => FocusSpec.ChargeFrequencies,
            FocusSpec.BillingCurrency => FocusSpec.Currencies,
            _ => null,
        };
        if (allowed is not null && !allowed.Contains(text))
        {
            var what = column.Name == FocusSpec.BillingCurrency ? "an ISO 4217 currency code" : "one of " + string.Join(", ", allowed.Order(StringComparer.Ordinal).Select(a => $"'{a}'"));
            throw table.Fail(row, column.Name, $"'{FocusTable.Show(text)}' is not {what}");
        }

        if (column.Name == FocusSpec.ChargeClass && text != FocusSpec.Correction)
        {
            throw table.Fail(row, column.Name, $"'{FocusTable.Show(text)}' is not allowed: ChargeClass is null or '{FocusSpec.Correction}'");
        }
    }

    private static void CheckConditions(FocusTable table, int row)
    {
        var category = table.Text(row, FocusSpec.ChargeCategory);
        var isCorrection = table.Text(row, FocusSpec.ChargeClass) is not null;
        var usageOrPurchase = category is "Usage" or "Purchase" && !isCorrection;
        if (table.Has(FocusSpec.PricingQuantity))
        {
            var quantity = table.Text(row, FocusSpec.PricingQuantity);
            if (category == "Tax" && quantity is not null)
            {
                throw table.Fail(row, FocusSpec.PricingQuantity, "must be null when ChargeCategory is 'Tax'");
            }

            if (usageOrPurchase && quantity is null)
            {
                throw table.Fail(row, FocusSpec.PricingQuantity, $"is null, but ChargeCategory is '{category}' and the row is not a correction");
            }

            if (table.Has(FocusSpec.PricingUnit) && (quantity is null) != (table.Text(row, FocusSpec.PricingUnit) is null))
            {
                throw table.Fail(row, FocusSpec.PricingUnit, quantity is null ? "must be null when PricingQuantity is null" : "is null, but PricingQuantity is not");
            }
        }

        if (table.Has(FocusSpec.SkuId) && usageOrPurchase && table.Text(row, FocusSpec.SkuId) is null)
        {
            throw table.Fail(row, FocusSpec.SkuId, $"is null, but ChargeCategory is '{category}' and the row is not a correction");
        }

        CheckPeriod(table, row, FocusSpec.ChargePeriodStart, FocusSpec.ChargePeriodEnd);
        CheckPeriod(table, row, FocusSpec.BillingPeriodStart, FocusSpec.BillingPeriodEnd);
    }

    private static void CheckPeriod(FocusTable table, int row, string startColumn, string endColumn)
    {
        if (table.DateTime(row, startColumn) is { } start && table.DateTime(row, endColumn) is { } end && end < start)
        {
            throw table.Fail(row, endColumn, $"{FocusValues.Format(end)} is before {startColumn} {FocusValues.Format(start)}");
        }
    }

    private static void CheckJsonObject(FocusTable table, int row, string column, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw table.Fail(row, column, $"must be a JSON object of key/value pairs, found a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }
        }
        catch (JsonException)
        {
            throw table.Fail(row, column, $"'{FocusTable.Show(text)}' is not JSON (FOCUS KeyValueFormat)");
        }
    }
}
