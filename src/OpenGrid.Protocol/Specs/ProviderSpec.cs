using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Protocol.Specs;

/// <summary>
/// The spec as providers receive it (<c>Assign.Spec</c>) and sign it (a receipt's <c>specHash</c>): the canonical
/// provider view of the requester's spec (<see cref="JobSpecWriter.ToProviderYaml"/>) — name, runtime, resources,
/// limits, network — with nothing only the coordinator needs (no <c>verify</c>, price, placement, requires, outputs or
/// local input paths). Every job, replica and canary reaches providers in this one form, so its text does not say
/// which it is. The coordinator sends it, checks receipts against <see cref="Hash"/>, puts it in proof packs, and
/// <c>og verify</c> checks that it is the view of the pack's spec (<see cref="IsViewOf"/>).
/// </summary>
public static class ProviderSpec
{
    /// <summary>The provider view of <paramref name="spec"/>.</summary>
    public static string Of(JobSpec spec) => JobSpecWriter.ToProviderYaml(spec);

    /// <summary>keccak256 of the provider view: the <c>specHash</c> a receipt for a job with this spec must carry.</summary>
    public static Bytes32 Hash(JobSpec spec) => ReceiptEncoding.SpecHash(Of(spec));

    /// <summary>
    /// Whether <paramref name="providerText"/> is a provider view of <paramref name="spec"/>: it parses, and keeps
    /// exactly the spec's name, runtime, resources, limits and network (compared by writing both views again, so a
    /// pack written by another version of the writer still checks).
    /// </summary>
    public static bool IsViewOf(string providerText, JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(providerText);
        return JobSpecParser.Parse(providerText, "provider-spec").Spec is { } view && Of(view) == Of(spec);
    }
}
