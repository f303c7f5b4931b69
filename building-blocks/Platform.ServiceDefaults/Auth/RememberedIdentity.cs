using System.Collections.ObjectModel;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// The identity of a validated token as <see cref="CachingTokenHandler"/> remembers it, handed as it is to every request
/// that presents the token (<see cref="PlatformBearerHandler"/>), so a device making thousands of calls with one token
/// does not have its identity and claims copied on each. No request can change it: adding or removing a claim throws
/// (<see cref="TryRemoveClaim"/> removes nothing), and <see cref="Clone"/> gives an ordinary copy to change. Claim types
/// and values are compared case-sensitively, as the identity JwtBearer builds compares them, without allocating.
/// The setters of <c>Actor</c>, <c>Label</c> and <c>BootstrapContext</c> are not virtual and so cannot be refused here;
/// nothing in the platform sets them on a request's identity.
/// </summary>
public sealed class RememberedIdentity : CaseSensitiveClaimsIdentity
{
    private readonly Claim[] _claims;
    private readonly ReadOnlyCollection<Claim> _readOnly;

    public RememberedIdentity(ClaimsIdentity validated) : base(validated)
    {
        _claims = [.. base.Claims];
        _readOnly = Array.AsReadOnly(_claims);
    }

    // Whether the claims act for exactly one trust (SingleTrustRequirement): 0 not judged yet, 1 yes, 2 no. The claims
    // cannot change, so the judgement holds for every request that presents the token.
    private int _actsForOneTrust;

    /// <summary>Whether these claims name exactly one trust by a valid ODS code (<see cref="SingleTrustRequirement"/>), judged once.</summary>
    public bool ActsForOneTrust
    {
        get
        {
            var known = Volatile.Read(ref _actsForOneTrust);
            if (known == 0)
            {
                known = SingleTrustRequirement.Refusal(FindAll(Tenancy.TenantContext.ClaimType)) is null ? 1 : 2;
                Volatile.Write(ref _actsForOneTrust, known);
            }
            return known == 1;
        }
    }

    /// <summary>Whether construction is over (the base constructor may add the copied claims before it).</summary>
    private bool Sealed => _claims is not null;

    public override IEnumerable<Claim> Claims => Sealed ? _readOnly : base.Claims;

    public override Claim? FindFirst(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        foreach (var claim in _claims)
            if (string.Equals(claim.Type, type, StringComparison.Ordinal)) return claim;
        return null;
    }

    public override IEnumerable<Claim> FindAll(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var found = new List<Claim>();
        foreach (var claim in _claims)
            if (string.Equals(claim.Type, type, StringComparison.Ordinal)) found.Add(claim);
        return found;
    }

    public override bool HasClaim(string type, string value)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var claim in _claims)
            if (string.Equals(claim.Type, type, StringComparison.Ordinal) && string.Equals(claim.Value, value, StringComparison.Ordinal)) return true;
        return false;
    }

    public override void AddClaim(Claim claim) { Refuse(); base.AddClaim(claim); }
    public override void AddClaims(IEnumerable<Claim?> claims) { Refuse(); base.AddClaims(claims); }
    public override void RemoveClaim(Claim? claim) { Refuse(); base.RemoveClaim(claim); }
    public override bool TryRemoveClaim(Claim? claim) => !Sealed && base.TryRemoveClaim(claim);

    /// <summary>An ordinary, changeable copy.</summary>
    public override ClaimsIdentity Clone() => new CaseSensitiveClaimsIdentity(this);

    private void Refuse()
    {
        if (Sealed)
            throw new InvalidOperationException("This identity is shared by every request that presents the same bearer token and cannot be changed; "
                + "add a new identity to the request's principal, or change a Clone().");
    }
}
