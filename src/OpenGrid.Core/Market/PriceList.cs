using System.Runtime.CompilerServices;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Market;

/// <summary>
/// A provider's ask in token base units per unit-hour: per CPU core, per GiB (2^30 bytes) of memory, per GiB of disk,
/// and per GPU by model (exact <see cref="GpuInfo.Model"/> key, else <see cref="PerGpuHourDefault"/>). No price may
/// be negative.
/// </summary>
public sealed record PriceList(
    TokenAmount PerCpuCoreHour,
    TokenAmount PerMemoryGiBHour,
    TokenAmount PerDiskGiBHour,
    IReadOnlyDictionary<string, TokenAmount> PerGpuHourByModel,
    TokenAmount PerGpuHourDefault)
{
    public const long BytesPerGiB = 1L << 30;

    // Every part of a quote over one common denominator: millicores per core × bytes per GiB.
    private const long QuoteDenominator = Quantities.MillicoresPerCore * BytesPerGiB;

    public TokenAmount PerCpuCoreHour { get; init; } = NonNegative(PerCpuCoreHour);
    public TokenAmount PerMemoryGiBHour { get; init; } = NonNegative(PerMemoryGiBHour);
    public TokenAmount PerDiskGiBHour { get; init; } = NonNegative(PerDiskGiBHour);
    public IReadOnlyDictionary<string, TokenAmount> PerGpuHourByModel { get; init; } = NonNegative(PerGpuHourByModel);
    public TokenAmount PerGpuHourDefault { get; init; } = NonNegative(PerGpuHourDefault);

    /// <summary>Testnet prices: 0.02 per core-hour, 0.005 per memory GiB-hour, disk free, 0.50 per GPU-hour (USDC).</summary>
    public static PriceList Testnet { get; } = new(
        TokenAmount.FromBaseUnits(20_000),
        TokenAmount.FromBaseUnits(5_000),
        TokenAmount.FromBaseUnits(0),
        new Dictionary<string, TokenAmount>(StringComparer.Ordinal),
        TokenAmount.FromBaseUnits(500_000));

    /// <summary>The hourly price of one GPU: its model's entry, else the default.</summary>
    public TokenAmount GpuPricePerHour(GpuInfo gpu)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        return PerGpuHourByModel.TryGetValue(gpu.Model, out var price) ? price : PerGpuHourDefault;
    }

    /// <summary>
    /// The ask per hour for <paramref name="request"/> on <paramref name="gpusUsed"/>: millicores × per-core / 1000 +
    /// bytes × per-GiB / 2^30 (memory and disk) + the GPUs' prices, summed exactly as a fraction and rounded up to a
    /// whole base unit once, at the end, in the provider's favour (so 1m of CPU at 0.02/core-hour costs 1 base unit,
    /// never 0). Throws <see cref="OverflowException"/> when the price does not fit a <see cref="TokenAmount"/>.
    /// </summary>
    public TokenAmount Quote(ResourceRequest request, IReadOnlyList<GpuInfo> gpusUsed) =>
        TryQuote(request, gpusUsed, out var price)
            ? price
            : throw new OverflowException($"the price of {request} under {this} does not fit a token amount");

    /// <summary><see cref="Quote"/> without the exception: false when the price overflows.</summary>
    public bool TryQuote(ResourceRequest request, IReadOnlyList<GpuInfo> gpusUsed, out TokenAmount pricePerHour)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(gpusUsed);
        if (request.CpuMillis < 0 || request.MemoryBytes < 0 || request.DiskBytes < 0)
            throw new ArgumentOutOfRangeException(nameof(request), request, "resource amounts cannot be negative");
        if (gpusUsed.Count != request.Gpu.Count)
            throw new ArgumentException($"the request wants {request.Gpu.Count} GPUs but {gpusUsed.Count} are priced", nameof(gpusUsed));

        pricePerHour = default;
        long gpuUnits = 0;
        foreach (var gpu in gpusUsed)
        {
            if (!TryAdd(gpuUnits, GpuPricePerHour(gpu).BaseUnits, out gpuUnits))
                return false;
        }

        if (!TryQuoteUnits(request.CpuMillis, request.MemoryBytes, request.DiskBytes, gpuUnits,
                PerCpuCoreHour.BaseUnits, PerMemoryGiBHour.BaseUnits, PerDiskGiBHour.BaseUnits, out var units))
            return false;
        pricePerHour = TokenAmount.FromBaseUnits(units);
        return true;
    }

    /// <summary>
    /// What <paramref name="pricePerHour"/> costs over <paramref name="duration"/>, rounded up to a whole base unit
    /// (an estimate or a cap never undershoots). Throws <see cref="OverflowException"/> when it does not fit.
    /// </summary>
    public static TokenAmount CostFor(TokenAmount pricePerHour, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pricePerHour.BaseUnits, nameof(pricePerHour));
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var numerator = (UInt128)(ulong)pricePerHour.BaseUnits * (ulong)duration.Ticks;
        var cost = (numerator + (ulong)TimeSpan.TicksPerHour - 1) / (ulong)TimeSpan.TicksPerHour;
        return cost <= long.MaxValue
            ? TokenAmount.FromBaseUnits((long)cost)
            : throw new OverflowException($"{pricePerHour} per hour for {duration} does not fit a token amount");
    }

    /// <summary>The exact quote over raw numbers (all non-negative); the matcher's hot path calls this directly.</summary>
    internal static bool TryQuoteUnits(
        long cpuMillis, long memoryBytes, long diskBytes, long gpuUnits, long perCore, long perMemoryGiB, long perDiskGiB, out long units)
    {
        // Each part is a whole number of base units and a remainder over its own denominator. The remainders are
        // summed exactly over the common denominator and rounded up once: cpu r/1000 + (memory r + disk r)/2^30 < 3.
        units = 0;
        if (!TryPerMillicore(cpuMillis, perCore, out var cpuWhole, out var cpuRest)
            || !TryPerGiB(memoryBytes, perMemoryGiB, out var memoryWhole, out var memoryRest)
            || !TryPerGiB(diskBytes, perDiskGiB, out var diskWhole, out var diskRest))
            return false;
        var rest = cpuRest * BytesPerGiB + (memoryRest + diskRest) * Quantities.MillicoresPerCore;
        var roundUp = (rest + QuoteDenominator - 1) / QuoteDenominator;
        return TryAdd(cpuWhole, memoryWhole, out units)
            && TryAdd(units, diskWhole, out units)
            && TryAdd(units, gpuUnits, out units)
            && TryAdd(units, roundUp, out units);
    }

    // millicores × per-core = whole × 1000 + rest, for non-negative values; false when whole does not fit a long.
    // The divisors are constants here so the common 64-bit case compiles to multiplications and shifts.
    private static bool TryPerMillicore(long millicores, long perCore, out long whole, out long rest)
    {
        var high = Math.BigMul((ulong)millicores, (ulong)perCore, out var low);
        if (high == 0)
        {
            var quotient = low / (ulong)Quantities.MillicoresPerCore;
            whole = (long)quotient;
            rest = (long)(low - quotient * (ulong)Quantities.MillicoresPerCore);
            return true;
        }

        return TryDivideWide(new UInt128(high, low), (ulong)Quantities.MillicoresPerCore, out whole, out rest);
    }

    // bytes × per-GiB = whole × 2^30 + rest, for non-negative values; false when whole does not fit a long.
    private static bool TryPerGiB(long bytes, long perGiB, out long whole, out long rest)
    {
        const int Shift = 30;
        var high = Math.BigMul((ulong)bytes, (ulong)perGiB, out var low);
        rest = (long)(low & (BytesPerGiB - 1));
        if (high == 0)
        {
            whole = (long)(low >> Shift);
            return true;
        }

        var quotient = new UInt128(high, low) >> Shift;
        whole = quotient <= long.MaxValue ? (long)quotient : 0;
        return quotient <= long.MaxValue;
    }

    private static bool TryDivideWide(UInt128 product, ulong divisor, out long whole, out long rest)
    {
        var quotient = product / divisor;
        rest = (long)(ulong)(product % divisor);
        whole = quotient <= long.MaxValue ? (long)quotient : 0;
        return quotient <= long.MaxValue;
    }

    private static bool TryAdd(long a, long b, out long sum)
    {
        sum = a + b;
        return sum >= a;
    }

    private static TokenAmount NonNegative(TokenAmount price, [CallerArgumentExpression(nameof(price))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(price.BaseUnits, name);
        return price;
    }

    private static IReadOnlyDictionary<string, TokenAmount> NonNegative(
        IReadOnlyDictionary<string, TokenAmount> prices, [CallerArgumentExpression(nameof(prices))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(prices, name);
        foreach (var (model, price) in prices)
            ArgumentOutOfRangeException.ThrowIfNegative(price.BaseUnits, $"{name}[{model}]");
        return prices;
    }
}

/// <summary>How a provider prices its capacity: the seam for pricing strategies (Akash <c>bidengine/pricing.go</c>).</summary>
public interface IPricingStrategy
{
    /// <summary>The price list for a provider with this total capacity and these capabilities.</summary>
    PriceList Prices(ResourceVector capacity, IReadOnlySet<string> capabilities);
}

/// <summary>The default pricing strategy: the same price list whatever the capacity.</summary>
public sealed class FixedPriceList(PriceList prices) : IPricingStrategy
{
    /// <summary>The testnet prices (<see cref="PriceList.Testnet"/>).</summary>
    public static FixedPriceList Default { get; } = new(PriceList.Testnet);

    private readonly PriceList _prices = prices ?? throw new ArgumentNullException(nameof(prices));

    public PriceList Prices(ResourceVector capacity, IReadOnlySet<string> capabilities) => _prices;
}
