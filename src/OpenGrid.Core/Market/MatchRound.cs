using System.Globalization;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Market;

/// <summary>
/// One round's working state: what each offer has free (it shrinks as jobs are placed) next to its prices and rules,
/// in one row per offer, and what is worked out once per round (filters per requirement set, GPU eligibility per GPU
/// request, the offers caching each input).
/// </summary>
internal sealed class MatchRound
{
    private readonly IReadOnlyList<Offer> _offers;
    private readonly OfferRow[] _rows;
    private readonly Dictionary<Level1Key, Level1> _level1 = [];
    private readonly Dictionary<string, bool[]> _offering = new(StringComparer.Ordinal);
    private readonly Dictionary<GpuRequest, ulong[]> _eligible = [];
    private readonly List<int> _picked = [];

    // Offers with the same CPU, memory and disk rates ask the same for a job's CPU, memory and disk: quote that part
    // once per class and request. An entry is current when its stamp is the request's.
    private readonly int[] _priceClass;
    private readonly long[] _classQuote;
    private readonly int[] _classStamp;
    private ResourceRequest? _quotedRequest;
    private int _quoteStamp;
    private readonly (long PerCore, long PerMemory, long PerDisk)[] _classRates;
    private long[] _askPrices = [];
    private int[] _askWalks = [];

    // The smallest CPU, memory and disk any bid of the round asks for: an offer with less free in one of them can
    // take no more work this round ("spent"), and the class walks skip it for good.
    private readonly long _minCpu;
    private readonly long _minMemory;
    private readonly long _minDisk;
    private readonly List<Candidate> _parked = [];

    // How many of the current bid's inputs each offer caches; only the offers in _cachedOffers are non-zero.
    private readonly int[] _cached;
    private readonly List<int> _cachedOffers = [];
    private Dictionary<string, List<int>>? _offersCaching;

    // The first 15 hex digits of each provider's address as a number (plus one; 0 = not worked out yet): ordered like
    // the text, so most ties between offers are broken without comparing strings (addresses are hashes, so their
    // prefixes rarely collide).
    private ulong[]? _addressPrefixes;

    public MatchRound(IReadOnlyList<Offer> offers, ResourceRequest? smallest = null)
    {
        _minCpu = smallest?.CpuMillis ?? 0;
        _minMemory = smallest?.MemoryBytes ?? 0;
        _minDisk = smallest?.DiskBytes ?? 0;
        _offers = offers;
        _rows = new OfferRow[offers.Count];
        _cached = new int[offers.Count];
        _priceClass = new int[offers.Count];
        var classes = new Dictionary<(long, long, long), int>();
        for (var o = 0; o < offers.Count; o++)
        {
            var offer = offers[o] ?? throw new ArgumentException($"offers[{o}] is null", nameof(offers));
            var free = offer.Free;
            ref var row = ref _rows[o];
            row.Cpu = free.CpuMillis;
            row.Memory = free.MemoryBytes;
            row.Disk = free.DiskBytes;
            row.PerCore = offer.Prices.PerCpuCoreHour.BaseUnits;
            row.PerMemory = offer.Prices.PerMemoryGiBHour.BaseUnits;
            row.PerDisk = offer.Prices.PerDiskGiBHour.BaseUnits;
            if (!classes.TryGetValue((row.PerCore, row.PerMemory, row.PerDisk), out _priceClass[o]))
                classes.Add((row.PerCore, row.PerMemory, row.PerDisk), _priceClass[o] = classes.Count);
            row.Reputation = offer.Reputation;
            row.MinRequesterReputation = offer.MinRequesterReputation;
            row.MaxJobDuration = offer.MaxJobDuration;
            row.Open = NotDrainingCheck.Holds(offer.Draining) && BondedCheck.Holds(offer.Bonded) && RuntimeCheck.Holds(offer.Capabilities);
            row.GpuPriceUniform = true;
            var gpus = free.Gpus;
            if (gpus.Count > 0)
                SetUpGpus(ref row, offer, gpus);
        }

        _classQuote = new long[classes.Count];
        _classStamp = new int[classes.Count];
        _classRates = new (long, long, long)[classes.Count];
        foreach (var (rates, id) in classes)
            _classRates[id] = rates;
    }

    private static void SetUpGpus(ref OfferRow row, Offer offer, IReadOnlyList<GpuInfo> gpus)
    {
        if (gpus.Count > ResourceVector.MaxGpus)
            throw new ArgumentException($"offer of {offer.Provider} lists {gpus.Count} free GPUs; at most {ResourceVector.MaxGpus}", "offers");
        var prices = new long[gpus.Count];
        var order = new byte[gpus.Count];
        var uniform = true;
        for (var g = 0; g < gpus.Count; g++)
        {
            prices[g] = offer.Prices.GpuPricePerHour(gpus[g]).BaseUnits;
            order[g] = (byte)g;
            uniform &= prices[g] == prices[0];
        }

        // The pick order of ResourceVector.PickGpus: cheapest, then least memory, then list order.
        Array.Sort(order, (a, b) =>
            prices[a] != prices[b] ? prices[a].CompareTo(prices[b])
            : gpus[a].MemoryBytes != gpus[b].MemoryBytes ? gpus[a].MemoryBytes.CompareTo(gpus[b].MemoryBytes)
            : a.CompareTo(b));
        row.GpuFree = gpus.Count == ResourceVector.MaxGpus ? ulong.MaxValue : (1UL << gpus.Count) - 1;
        row.GpuPrices = prices;
        row.GpuOrder = order;
        row.GpuPriceUniform = uniform;
    }

    /// <summary>Places up to <see cref="Bid.ReplicasWanted"/> replicas of the bid on distinct providers; returns how many.</summary>
    public int Place(Bid bid, Shape shape, bool ranked, List<Match> matches)
    {
        Prepare(shape);
        CountCachedInputs(bid);
        _picked.Clear();
        for (var replica = 0; replica < bid.ReplicasWanted; replica++)
        {
            var found = bid.Resources.Gpu.Count == 0 ? FindByClassWalk(bid, shape, out var offer, out var price)
                : ranked ? FindRanked(bid, shape, out offer, out price)
                : FindByScan(bid, shape, out offer, out price);
            if (!found)
                break;
            matches.Add(Lease(bid, shape, offer, price));
            _picked.Add(offer);
        }

        if (ranked)
        {
            foreach (var candidate in _parked)
                shape.Push(candidate, this);
            _parked.Clear();
        }

        return _picked.Count;
    }

    private void Prepare(Shape shape)
    {
        if (shape.Level1 is not null)
            return;
        var bid = shape.Exemplar;
        var key = new Level1Key(bid);
        if (!_level1.TryGetValue(key, out var level1))
        {
            var passing = new int[_offers.Count];
            var count = 0;
            var contains = new bool[_offers.Count];
            var offering = new bool[bid.Requires.Count][];
            for (var i = 0; i < offering.Length; i++)
                offering[i] = Offering(bid.Requires[i]);
            for (var o = 0; o < _offers.Count; o++)
            {
                if (!_rows[o].Open || !RegionCheck.Holds(bid.Region, _offers[o].Region))
                    continue;
                var all = true;
                for (var i = 0; i < offering.Length && all; i++)
                    all = offering[i][o];
                if (!all)
                    continue;
                passing[count++] = o;
                contains[o] = true;
            }

            Array.Resize(ref passing, count);
            level1 = new Level1(passing, contains);
            _level1.Add(key, level1);
        }

        shape.Level1 = level1;
        var gpu = bid.Resources.Gpu;
        if (gpu.Count > 0 && !_eligible.TryGetValue(gpu, out var eligible))
        {
            eligible = new ulong[_offers.Count];
            for (var o = 0; o < _offers.Count; o++)
            {
                var gpus = _offers[o].Free.Gpus;
                for (var g = 0; g < gpus.Count; g++)
                {
                    if (ResourceVector.GpuSatisfies(gpus[g], gpu))
                        eligible[o] |= 1UL << g;
                }
            }

            _eligible.Add(gpu, eligible);
        }

        shape.Eligible = gpu.Count > 0 ? _eligible[gpu] : null;
    }

    // Which offers offer a capability (CapabilitiesCheck for one capability), worked out once per round.
    private bool[] Offering(string capability)
    {
        if (_offering.TryGetValue(capability, out var offering))
            return offering;
        offering = new bool[_offers.Count];
        string[] one = [capability];
        for (var o = 0; o < offering.Length; o++)
            offering[o] = CapabilitiesCheck.FirstMissing(one, _offers[o].Capabilities) is null;
        _offering.Add(capability, offering);
        return offering;
    }

    // Fills _cached for this bid from an index of which offers cache which input (built on first use): inputs are
    // usually cached on few providers, so this touches few offers.
    private void CountCachedInputs(Bid bid)
    {
        foreach (var o in _cachedOffers)
            _cached[o] = 0;
        _cachedOffers.Clear();
        if (bid.InputCids.Count == 0 || _offersCaching is null)
            return;
        for (var i = 0; i < bid.InputCids.Count; i++)
        {
            if (!_offersCaching.TryGetValue(bid.InputCids[i], out var caching))
                continue;
            foreach (var o in caching)
            {
                if (_cached[o]++ == 0)
                    _cachedOffers.Add(o);
            }
        }
    }

    /// <summary>
    /// Indexes which offers cache each of the inputs the round's bids ask for. Each offer costs the smaller of its
    /// cache and the inputs asked for, so a provider caching thousands of CIDs is cheap when few are wanted.
    /// </summary>
    public void IndexCachedInputs(HashSet<string> wanted)
    {
        var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var o = 0; o < _offers.Count; o++)
        {
            var cached = _offers[o].CachedInputs;
            if (cached.Count <= wanted.Count)
            {
                foreach (var cid in cached)
                {
                    if (wanted.Contains(cid))
                        Add(cid, o);
                }
            }
            else
            {
                foreach (var cid in wanted)
                {
                    if (cached.Contains(cid))
                        Add(cid, o);
                }
            }
        }

        _offersCaching = index;

        void Add(string cid, int o)
        {
            if (!index.TryGetValue(cid, out var caching))
                index.Add(cid, caching = []);
            caching.Add(o);
        }
    }

    // The offer's rules and the job's reputation floor: fixed for the round.
    private bool RulesHold(Bid bid, int o)
    {
        ref var row = ref _rows[o];
        return MaxDurationCheck.Holds(bid.Duration, row.MaxJobDuration)
            && RequesterReputationCheck.Holds(bid.RequesterReputation, row.MinRequesterReputation)
            && ProviderReputationCheck.Holds(row.Reputation, bid.MinProviderReputation);
    }

    // Free resources: they only shrink within a round, so a shape that stops fitting an offer never fits it again.
    private bool FitsNow(ResourceRequest want, Shape shape, int o)
    {
        ref var row = ref _rows[o];
        return CpuCheck.Holds(want.CpuMillis, row.Cpu)
            && MemoryCheck.Holds(want.MemoryBytes, row.Memory)
            && DiskCheck.Holds(want.DiskBytes, row.Disk)
            && (want.Gpu.Count == 0 || ulong.PopCount(row.GpuFree & shape.Eligible![o]) >= (ulong)want.Gpu.Count);
    }

    // A provider the bid excludes, or one that already has a replica of it this round.
    private bool Barred(Bid bid, int o)
    {
        if (bid.ExcludedProviders.Count == 0 && _picked.Count == 0)
            return false;
        var provider = _offers[o].Provider;
        if (!NotExcludedCheck.Holds(bid.ExcludedProviders, provider))
            return true;
        foreach (var p in _picked)
        {
            if (_offers[p].Provider == provider)
                return true;
        }

        return false;
    }

    // The ask for the bid on the GPUs it would get now; false when it overflows. The GPUs cost whole base units, so
    // rounding the CPU, memory and disk part up on its own and adding them is the exact quote (⌈x + n⌉ = ⌈x⌉ + n).
    private bool TryQuote(ResourceRequest want, Shape shape, int o, out long price)
    {
        ref var row = ref _rows[o];
        if (!ReferenceEquals(want, _quotedRequest))
        {
            _quotedRequest = want;
            if (++_quoteStamp == 0)
            {
                Array.Clear(_classStamp);
                _quoteStamp = 1;
            }
        }

        var priceClass = _priceClass[o];
        if (_classStamp[priceClass] != _quoteStamp)
        {
            _classStamp[priceClass] = _quoteStamp;
            _classQuote[priceClass] = PriceList.TryQuoteUnits(
                want.CpuMillis, want.MemoryBytes, want.DiskBytes, 0, row.PerCore, row.PerMemory, row.PerDisk, out var units)
                ? units
                : -1;
        }

        price = _classQuote[priceClass];
        if (price < 0)
            return false;
        if (want.Gpu.Count == 0)
            return true;

        long gpuUnits = 0;
        var available = row.GpuFree & shape.Eligible![o];
        var taken = 0;
        foreach (var g in row.GpuOrder!)
        {
            if ((available & (1UL << g)) == 0)
                continue;
            gpuUnits += row.GpuPrices![g];
            if (gpuUnits < 0)
                return false;
            if (++taken == want.Gpu.Count)
                break;
        }

        price += gpuUnits;
        return price >= gpuUnits;
    }

    private bool FindByScan(Bid bid, Shape shape, out int best, out long bestPrice)
    {
        best = -1;
        bestPrice = 0;
        var want = bid.Resources;
        var max = bid.MaxPricePerHour.BaseUnits;
        foreach (var o in shape.Level1!.Offers)
        {
            if (!FitsNow(want, shape, o) || !RulesHold(bid, o) || !TryQuote(want, shape, o, out var price) || price > max)
                continue;
            if (best >= 0 && (price > bestPrice || (price == bestPrice && CompareTies(o, best) > 0)))
                continue;
            if (Barred(bid, o))
                continue;
            best = o;
            bestPrice = price;
        }

        return best >= 0;
    }


    // A CPU job's ask depends only on the offer's price class, so: quote each class once, visit the classes cheapest
    // first, and in each take the first offer (in the class's reputation-then-address order) that fits and whose
    // rules hold. A class asking more than the best found so far ends the walk. Same result as a scan of every offer;
    // typically a few dozen quotes and a few offers instead of all of them. A shape placed more than once keeps its
    // classes sorted by ask; a shape placed once picks the next cheapest class only while it needs one.
    private bool FindByClassWalk(Bid bid, Shape shape, out int best, out long bestPrice)
    {
        best = -1;
        bestPrice = 0;
        var walks = shape.Level1!.Walks ??= ClassWalks(shape.Level1);
        if (shape.Demand >= 2)
        {
            foreach (var (price, k) in shape.ClassOrder ??= SortedAsks(bid, walks))
            {
                if (best >= 0 && price > bestPrice)
                    break;
                Consider(bid, shape, walks[k], price, ref best, ref bestPrice);
            }
        }
        else
        {
            var count = QuoteClasses(bid, walks);
            for (var left = count; left > 0; left--)
            {
                var next = 0;
                for (var i = 1; i < left; i++)
                {
                    if (_askPrices[i] < _askPrices[next] || (_askPrices[i] == _askPrices[next] && _askWalks[i] < _askWalks[next]))
                        next = i;
                }

                var (price, k) = (_askPrices[next], _askWalks[next]);
                if (best >= 0 && price > bestPrice)
                    break;
                _askPrices[next] = _askPrices[left - 1];
                _askWalks[next] = _askWalks[left - 1];
                Consider(bid, shape, walks[k], price, ref best, ref bestPrice);
            }
        }

        if (best < 0)
            return false;
        best = PreferCachedInputs(bid, shape, new Candidate(best, bestPrice, _rows[best].Reputation));
        return true;
    }

    private void Consider(Bid bid, Shape shape, ClassWalk walk, long price, ref int best, ref long bestPrice)
    {
        var found = walk.First(this, bid, shape);
        if (found < 0 || (best >= 0 && (price > bestPrice || (price == bestPrice && CompareTies(found, best, withCached: false) > 0))))
            return;
        best = found;
        bestPrice = price;
    }

    // Quotes the bid at every class of the walks into _askPrices/_askWalks, keeping those at most its max price.
    private int QuoteClasses(Bid bid, ClassWalk[] walks)
    {
        if (_askPrices.Length < walks.Length)
        {
            _askPrices = new long[walks.Length];
            _askWalks = new int[walks.Length];
        }

        var want = bid.Resources;
        var max = bid.MaxPricePerHour.BaseUnits;
        var count = 0;
        for (var k = 0; k < walks.Length; k++)
        {
            var (perCore, perMemory, perDisk) = _classRates[walks[k].Class];
            if (!PriceList.TryQuoteUnits(want.CpuMillis, want.MemoryBytes, want.DiskBytes, 0, perCore, perMemory, perDisk, out var units)
                || units > max)
                continue;
            _askPrices[count] = units;
            _askWalks[count++] = k;
        }

        return count;
    }

    // The shape's classes in ask order, with their asks, at most its max price.
    private List<(long Price, int Walk)> SortedAsks(Bid bid, ClassWalk[] walks)
    {
        var count = QuoteClasses(bid, walks);
        var order = new List<(long Price, int Walk)>(count);
        for (var i = 0; i < count; i++)
            order.Add((_askPrices[i], _askWalks[i]));
        order.Sort(static (a, b) => a.Price != b.Price ? a.Price.CompareTo(b.Price) : a.Walk.CompareTo(b.Walk));
        return order;
    }

    // The filter's offers grouped by price class (a counting sort: class ids are dense). Each group is put in walk
    // order (reputation descending, address ascending) when first walked: most rounds walk only the cheap classes.
    private ClassWalk[] ClassWalks(Level1 level1)
    {
        var starts = new int[_classRates.Length + 1];
        foreach (var o in level1.Offers)
            starts[_priceClass[o] + 1]++;
        var groups = 0;
        for (var c = 0; c < _classRates.Length; c++)
        {
            if (starts[c + 1] > 0)
                groups++;
            starts[c + 1] += starts[c];
        }

        var members = new int[level1.Offers.Length];
        var fill = (int[])starts.Clone();
        foreach (var o in level1.Offers)
            members[fill[_priceClass[o]]++] = o;
        var walks = new ClassWalk[groups];
        var i = 0;
        for (var c = 0; c < _classRates.Length; c++)
        {
            if (starts[c + 1] > starts[c])
                walks[i++] = new ClassWalk(c, members, starts[c], starts[c + 1] - starts[c]);
        }

        return walks;
    }

    /// <summary>Puts offers in walk order: reputation descending, then address (<see cref="CompareAddresses"/>).</summary>
    public void SortForWalk(Span<int> offers)
    {
        // Sort by (reputation, address prefix) as plain values, then settle the rare runs whose prefixes are equal
        // (two offers of one provider) with the full comparison.
        var keys = new WalkKey[offers.Length];
        for (var k = 0; k < offers.Length; k++)
            keys[k] = new WalkKey(-_rows[offers[k]].Reputation, AddressPrefix(offers[k]), offers[k]);
        Array.Sort(keys);
        for (var k = 0; k < keys.Length; k++)
            offers[k] = keys[k].Offer;
        for (var k = 1; k < keys.Length; k++)
        {
            if (keys[k].NegativeReputation != keys[k - 1].NegativeReputation || keys[k].Prefix != keys[k - 1].Prefix)
                continue;
            for (var m = k; m > 0 && keys[m].NegativeReputation == keys[m - 1].NegativeReputation && keys[m].Prefix == keys[m - 1].Prefix
                 && CompareAddresses(offers[m], offers[m - 1]) < 0; m--)
                (offers[m], offers[m - 1]) = (offers[m - 1], offers[m]);
        }
    }

    private readonly record struct WalkKey(double NegativeReputation, ulong Prefix, int Offer) : IComparable<WalkKey>
    {
        public int CompareTo(WalkKey other)
        {
            var byReputation = NegativeReputation.CompareTo(other.NegativeReputation);
            if (byReputation != 0)
                return byReputation;
            return Prefix != other.Prefix ? Prefix.CompareTo(other.Prefix) : Offer.CompareTo(other.Offer);
        }
    }

    /// <summary>Whether an offer can take no more work this round: less free than the smallest request of any bid.</summary>
    public bool Spent(int o)
    {
        ref var row = ref _rows[o];
        return row.Cpu < _minCpu || row.Memory < _minMemory || row.Disk < _minDisk;
    }

    public double ReputationOf(int o) => _rows[o].Reputation;

    /// <summary>Whether the offer can take the bid now: it fits, the rules hold, and it is not barred.</summary>
    public bool Takes(Bid bid, Shape shape, int o) => FitsNow(bid.Resources, shape, o) && RulesHold(bid, o) && !Barred(bid, o);

    // Two offers asking the same: reputation descending, cached inputs descending, address.
    private int CompareTies(int a, int b, bool withCached = true)
    {
        var byReputation = _rows[b].Reputation.CompareTo(_rows[a].Reputation);
        if (byReputation != 0)
            return byReputation;
        if (withCached && _cached[a] != _cached[b])
            return _cached[a] > _cached[b] ? -1 : 1;
        return CompareAddresses(a, b);
    }

    /// <summary>Lowest address first; the offer's position only breaks ties between two offers of one provider.</summary>
    public int CompareAddresses(int a, int b)
    {
        var (prefixA, prefixB) = (AddressPrefix(a), AddressPrefix(b));
        if (prefixA != prefixB)
            return prefixA < prefixB ? -1 : 1;
        var byAddress = string.CompareOrdinal(_offers[a].Provider.Value, _offers[b].Provider.Value);
        return byAddress != 0 ? byAddress : a.CompareTo(b);
    }

    // The first 16 hex digits of the address as a number, worked out on first use (stored + 1, so 0 means not yet).
    private ulong AddressPrefix(int o)
    {
        _addressPrefixes ??= new ulong[_offers.Count];
        var known = _addressPrefixes[o];
        if (known != 0)
            return known - 1;
        const int Digits = 15;
        // Address text is "0x" and 40 lower-case hex digits; anything else (a default Address) keeps 0 and is
        // ordered by the string comparison. 15 digits leave room for the +1.
        ulong prefix = 0;
        var text = _offers[o].Provider.Value;
        if (text is not null && text.Length >= 2 + Digits)
        {
            for (var i = 2; i < 2 + Digits; i++)
            {
                var c = text[i];
                prefix = (prefix << 4) | (uint)(c <= '9' ? c - '0' : c - 'a' + 10);
            }
        }

        _addressPrefixes[o] = prefix + 1;
        return prefix;
    }

    // Dropping this many offers one by one (a sift each) costs about what one pass over the heap costs.
    private const int CompactAfterDropping = 16;

    // The shape's heap holds its candidates by (ask, reputation, address): the top is the best offer for a bid with
    // no inputs cached anywhere. Offers that stopped fitting are dropped for good; barred ones are parked until the
    // bid is placed.
    private bool FindRanked(Bid bid, Shape shape, out int offer, out long price)
    {
        if (!shape.Ranked)
            Rank(bid, shape);
        var want = bid.Resources;
        var max = bid.MaxPricePerHour.BaseUnits;
        var dropped = 0;
        while (shape.Count > 0)
        {
            var top = shape.Top;
            if (!FitsNow(want, shape, top.Offer))
            {
                // Many offers filled up since this shape last looked: drop them all in one pass rather than one sift each.
                if (++dropped == CompactAfterDropping)
                    shape.Compact(offer => FitsNow(want, shape, offer), this);
                else
                    shape.Pop(this);
                continue;
            }

            if (Barred(bid, top.Offer))
            {
                _parked.Add(shape.Pop(this));
                continue;
            }

            // With GPUs priced differently, the cheap ones go first, so an offer's ask for this shape can only rise
            // within the round: re-quote, and when it rose, put the offer back in its place and look again.
            if (want.Gpu.Count > 0 && !_rows[top.Offer].GpuPriceUniform)
            {
                if (!TryQuote(want, shape, top.Offer, out var current) || current > max)
                {
                    shape.Pop(this);
                    continue;
                }

                if (current != top.Price)
                {
                    shape.Pop(this);
                    shape.Push(top with { Price = current }, this);
                    continue;
                }
            }

            offer = PreferCachedInputs(bid, shape, top);
            price = top.Price;
            return true;
        }

        offer = -1;
        price = 0;
        return false;
    }

    // Among the candidates asking what the top asks, with its reputation, the one caching most of the bid's inputs
    // wins (then the lowest address). Only offers caching an input can beat the top, and they are few.
    private int PreferCachedInputs(Bid bid, Shape shape, Candidate top)
    {
        var best = top.Offer;
        foreach (var o in _cachedOffers)
        {
            if (o == best
                || _cached[o] < _cached[best]
                || (_cached[o] == _cached[best] && CompareAddresses(o, best) > 0)
                || _rows[o].Reputation != top.Reputation
                || !shape.Level1!.Contains[o]
                || !RulesHold(bid, o)
                || !FitsNow(bid.Resources, shape, o)
                || !TryQuote(bid.Resources, shape, o, out var price)
                || price != top.Price
                || Barred(bid, o))
                continue;
            best = o;
        }

        return best;
    }

    private void Rank(Bid bid, Shape shape)
    {
        var want = bid.Resources;
        var max = bid.MaxPricePerHour.BaseUnits;
        var candidates = new Candidate[shape.Level1!.Offers.Length];
        var count = 0;
        foreach (var o in shape.Level1.Offers)
        {
            if (!FitsNow(want, shape, o) || !RulesHold(bid, o) || !TryQuote(want, shape, o, out var price) || price > max)
                continue;
            candidates[count++] = new Candidate(o, price, _rows[o].Reputation);
        }

        shape.Heapify(candidates, count, this);
    }

    /// <summary>Whether <paramref name="a"/> ranks before <paramref name="b"/> in a shape's heap.</summary>
    public bool Before(in Candidate a, in Candidate b)
    {
        if (a.Price != b.Price)
            return a.Price < b.Price;
        if (a.Reputation != b.Reputation)
            return a.Reputation > b.Reputation;
        return CompareAddresses(a.Offer, b.Offer) < 0;
    }

    private Match Lease(Bid bid, Shape shape, int o, long price)
    {
        var want = bid.Resources;
        ref var row = ref _rows[o];
        row.Cpu -= want.CpuMillis;
        row.Memory -= want.MemoryBytes;
        row.Disk -= want.DiskBytes;
        row.Touched = true;
        var match = new Match(bid.Job, _offers[o].Provider, TokenAmount.FromBaseUnits(price));
        if (want.Gpu.Count == 0)
            return match;

        var gpus = new GpuInfo[want.Gpu.Count];
        var available = row.GpuFree & shape.Eligible![o];
        var taken = 0;
        foreach (var g in row.GpuOrder!)
        {
            if ((available & (1UL << g)) == 0)
                continue;
            gpus[taken++] = _offers[o].Free.Gpus[g];
            row.GpuFree &= ~(1UL << g);
            if (taken == gpus.Length)
                break;
        }

        return match with { Gpus = gpus };
    }

    /// <summary>"no provider matched before its deadline of …; closest: &lt;provider&gt;: &lt;first failure&gt;", judged on what is free now.</summary>
    public string ExpiryReason(Bid bid, DateTimeOffset deadline)
    {
        var prefix = "no provider matched before its deadline of " +
            deadline.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var closest = -1;
        string? closestFailure = null;
        var closestPassed = -1;
        for (var o = 0; o < _offers.Count; o++)
        {
            var (passed, failure) = FeasibilityChecks.Progress(bid, CurrentOffer(o));
            if (passed > closestPassed || (passed == closestPassed && CompareAddresses(o, closest) < 0))
                (closest, closestFailure, closestPassed) = (o, failure, passed);
        }

        return closest < 0
            ? $"{prefix}; closest: none (no offers)"
            : $"{prefix}; closest: {_offers[closest].Provider}: {closestFailure ?? "fits now"}";
    }

    // The offer with what is free now, for messages; the same instance when nothing was placed on it.
    private Offer CurrentOffer(int o)
    {
        var offer = _offers[o];
        ref var row = ref _rows[o];
        if (!row.Touched)
            return offer;
        var gpus = new List<GpuInfo>();
        for (var g = 0; g < offer.Free.Gpus.Count; g++)
        {
            if ((row.GpuFree & (1UL << g)) != 0)
                gpus.Add(offer.Free.Gpus[g]);
        }

        return offer with { Free = new ResourceVector(row.Cpu, row.Memory, row.Disk, gpus) };
    }

    /// <summary>What the matcher reads and writes of one offer, side by side: free resources, prices, rules.</summary>
    private struct OfferRow
    {
        public long Cpu;
        public long Memory;
        public long Disk;
        public ulong GpuFree;
        public long PerCore;
        public long PerMemory;
        public long PerDisk;
        public double Reputation;
        public double MinRequesterReputation;
        public TimeSpan MaxJobDuration;
        public bool GpuPriceUniform;
        public bool Touched;

        /// <summary>Takes new leases and runs the process runtime (NotDrainingCheck, BondedCheck, RuntimeCheck).</summary>
        public bool Open;
        public long[]? GpuPrices;
        public byte[]? GpuOrder;
    }
}

/// <summary>The offers passing the checks that do not depend on amounts (state, runtime, region, capabilities).</summary>
internal sealed record Level1(int[] Offers, bool[] Contains)
{
    /// <summary>The offers by price class, for CPU jobs' class walks; built on first use.</summary>
    public ClassWalk[]? Walks { get; set; }
}

/// <summary>
/// One price class's offers (a segment of an array shared by the filter's classes), put in walk order (reputation
/// descending, then address) on first use. Offers that are spent for the round are skipped for good: <c>_next</c>
/// points past them, compressed as walks go by.
/// </summary>
internal sealed class ClassWalk(int priceClass, int[] members, int start, int length)
{
    private int[]? _next;

    public int Class { get; } = priceClass;

    /// <summary>The first offer that is not spent and takes the bid; -1 when none. Stops at the first offer below
    /// the bid's reputation floor (all later ones are too).</summary>
    public int First(MatchRound round, Bid bid, Shape shape)
    {
        if (_next is null)
        {
            round.SortForWalk(members.AsSpan(start, length));
            _next = new int[length + 1];
            for (var k = 0; k <= length; k++)
                _next[k] = k;
        }

        var i = Live(0, round);
        while (i < length)
        {
            var o = members[start + i];
            if (round.ReputationOf(o) < bid.MinProviderReputation)
                return -1;
            if (round.Takes(bid, shape, o))
                return o;
            i = Live(i + 1, round);
        }

        return -1;
    }

    // The first index at or after i whose offer is not spent, pointing every visited index straight at it.
    private int Live(int i, MatchRound round)
    {
        var next = _next!;
        var j = i;
        while (next[j] != j)
            j = next[j];
        while (j < length && round.Spent(members[start + j]))
        {
            next[j] = j + 1;
            j++;
            while (next[j] != j)
                j = next[j];
        }

        while (next[i] != i && next[i] != j)
        {
            var after = next[i];
            next[i] = j;
            i = after;
        }

        return j;
    }
}

/// <summary>An offer ranked for a shape: its ask for the shape when ranked (it can only rise) and its reputation.</summary>
internal readonly record struct Candidate(int Offer, long Price, double Reputation);

/// <summary>The bids of one shape in a round, and, once ranked, their candidate offers in a binary heap, best on top.</summary>
internal sealed class Shape(Bid exemplar)
{
    private Candidate[] _heap = [];

    public Bid Exemplar { get; } = exemplar;

    /// <summary>Placements wanted by all bids of this shape in the round.</summary>
    public int Demand { get; set; }

    public Level1? Level1 { get; set; }

    /// <summary>Per offer, which of its free GPUs satisfy the request (null for a CPU job).</summary>
    public ulong[]? Eligible { get; set; }

    /// <summary>For a CPU shape: the price classes in ask order with their asks, at most the max price.</summary>
    public List<(long Price, int Walk)>? ClassOrder { get; set; }

    public bool Ranked { get; private set; }

    public int Count { get; private set; }

    public Candidate Top => _heap[0];

    public void Heapify(Candidate[] candidates, int count, MatchRound round)
    {
        _heap = candidates;
        Count = count;
        Ranked = true;
        for (var i = count / 2 - 1; i >= 0; i--)
            SiftDown(i, round);
    }

    /// <summary>Keeps only the candidates whose offer passes <paramref name="keep"/>, and restores the heap.</summary>
    public void Compact(Func<int, bool> keep, MatchRound round)
    {
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (keep(_heap[i].Offer))
                _heap[kept++] = _heap[i];
        }

        Heapify(_heap, kept, round);
    }

    public Candidate Pop(MatchRound round)
    {
        var top = _heap[0];
        _heap[0] = _heap[--Count];
        if (Count > 0)
            SiftDown(0, round);
        return top;
    }

    public void Push(Candidate candidate, MatchRound round)
    {
        if (Count == _heap.Length)
            Array.Resize(ref _heap, Math.Max(4, Count * 2));
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!round.Before(candidate, _heap[parent]))
                break;
            _heap[i] = _heap[parent];
            i = parent;
        }

        _heap[i] = candidate;
    }

    private void SiftDown(int i, MatchRound round)
    {
        var item = _heap[i];
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= Count)
                break;
            if (child + 1 < Count && round.Before(_heap[child + 1], _heap[child]))
                child++;
            if (!round.Before(_heap[child], item))
                break;
            _heap[i] = _heap[child];
            i = child;
        }

        _heap[i] = item;
    }
}

/// <summary>
/// Bids that rank offers the same way: equal resources, requirements, max price and what the offer's rules look at.
/// Inputs are not part of it (they differ per job); cached inputs are weighed per bid. Only the bid is held.
/// </summary>
internal readonly struct ShapeKey(Bid bid) : IEquatable<ShapeKey>
{
    private readonly Bid _bid = bid;
    private readonly int _hash = HashOf(bid);

    public bool Equals(ShapeKey other)
    {
        var (a, b) = (_bid, other._bid);
        return ReferenceEquals(a, b) || (_hash == other._hash
            && a.Resources.Equals(b.Resources)
            && a.MaxPricePerHour == b.MaxPricePerHour
            && a.Duration == b.Duration
            && a.MinProviderReputation.Equals(b.MinProviderReputation)
            && a.RequesterReputation.Equals(b.RequesterReputation)
            && string.Equals(a.Region, b.Region, StringComparison.Ordinal)
            && Level1Key.SameItems(a.Requires, b.Requires));
    }

    public override bool Equals(object? obj) => obj is ShapeKey other && Equals(other);

    public override int GetHashCode() => _hash;

    private static int HashOf(Bid bid)
    {
        var hash = new HashCode();
        hash.Add(bid.Resources.CpuMillis);
        hash.Add(bid.Resources.MemoryBytes);
        hash.Add(bid.Resources.DiskBytes);
        hash.Add(bid.Resources.Gpu.Count);
        hash.Add(bid.MaxPricePerHour.BaseUnits);
        hash.Add(bid.Duration.Ticks);
        hash.Add(bid.MinProviderReputation);
        hash.Add(bid.RequesterReputation);
        hash.Add(Level1Key.HashOf(bid));
        return hash.ToHashCode();
    }
}

/// <summary>Bids that the offer-state and text checks treat the same: equal required capabilities and region.</summary>
internal readonly struct Level1Key(Bid bid) : IEquatable<Level1Key>
{
    private readonly Bid _bid = bid;
    private readonly int _hash = HashOf(bid);

    public bool Equals(Level1Key other) =>
        ReferenceEquals(_bid, other._bid) || (_hash == other._hash
            && string.Equals(_bid.Region, other._bid.Region, StringComparison.Ordinal)
            && SameItems(_bid.Requires, other._bid.Requires));

    public override bool Equals(object? obj) => obj is Level1Key other && Equals(other);

    public override int GetHashCode() => _hash;

    public static int HashOf(Bid bid)
    {
        var hash = new HashCode();
        hash.Add(bid.Region);
        hash.Add(bid.Requires.Count);
        for (var i = 0; i < bid.Requires.Count; i++)
            hash.Add(bid.Requires[i]);
        return hash.ToHashCode();
    }

    public static bool SameItems(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if (ReferenceEquals(a, b))
            return true;
        if (a.Count != b.Count)
            return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
                return false;
        }

        return true;
    }
}
