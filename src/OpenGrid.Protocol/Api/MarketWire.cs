using OpenGrid.Core;
using OpenGrid.Core.Market;

namespace OpenGrid.Protocol.Api;

/// <summary>Price lists between the domain (base units) and the wire (6-decimal strings).</summary>
public static class MarketWire
{
    public static PriceListView ToView(this PriceList prices) => new(
        prices.PerCpuCoreHour.ToString(),
        prices.PerMemoryGiBHour.ToString(),
        prices.PerDiskGiBHour.ToString(),
        prices.PerGpuHourByModel.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal),
        prices.PerGpuHourDefault.ToString());

    /// <summary>The price list a provider sent, or null when any amount is not a valid non-negative decimal.</summary>
    public static PriceList? ToPriceList(this PriceListView view)
    {
        if (!TryAmount(view.PerCpuCoreHour, out var cpu) || !TryAmount(view.PerMemoryGiBHour, out var memory)
            || !TryAmount(view.PerDiskGiBHour, out var disk) || !TryAmount(view.PerGpuHourDefault, out var gpu))
            return null;
        var byModel = new Dictionary<string, TokenAmount>(StringComparer.Ordinal);
        foreach (var (model, text) in view.PerGpuHourByModel ?? new Dictionary<string, string>())
        {
            if (!TryAmount(text, out var price))
                return null;
            byModel[model] = price;
        }
        return new PriceList(cpu, memory, disk, byModel, gpu);
    }

    private static bool TryAmount(string? text, out TokenAmount amount) =>
        TokenAmount.TryParse(text, out amount) && amount.BaseUnits >= 0;
}
