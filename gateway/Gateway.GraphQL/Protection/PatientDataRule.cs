using GraphQL.Validation;
using GraphQLParser.AST;

namespace Platform.Gateway.GraphQL.Protection;

/// <summary>
/// A caller who is a region analyst and holds no role at a trust (clinician, auditor) sees aggregates only: a document
/// of theirs that selects a field marked as patient data is refused whole, before any resolver runs, however the
/// services would have answered.
/// </summary>
public sealed class PatientDataRule : ValidationRuleBase
{
    /// <summary>The field metadata key marking a field whose values are patient rows.</summary>
    public const string PatientData = "platform:patient-data";
    public const string Code = "PATIENT_DATA_NOT_FOR_REGION";
    public const string RegionAnalyst = "region-analyst";

    private static readonly string[] s_trustRoles = ["clinician", "auditor", "trust-admin"];

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        var user = context.User;
        // A region token (no trust) is the region's whatever its roles; a trust's token carrying only region-analyst too.
        var regionOnly = user is not null && ((user.Identity?.IsAuthenticated == true && !user.HasClaim(c => c.Type == "tenant"))
            || (user.HasClaim("roles", RegionAnalyst) && !s_trustRoles.Any(r => user.HasClaim("roles", r))));
        if (!regionOnly) return default;
        return new(new MatchingNodeVisitor<GraphQLField>((field, ctx) =>
        {
            if (ctx.TypeInfo.GetFieldDef() is { } definition && definition.GetMetadata(PatientData, false))
            {
                ctx.ReportError(new ValidationError(ctx.Document.Source, "5.3.1",
                    $"'{definition.Name}' is patient data; a region analyst sees aggregates only.", field) { Code = Code });
            }
        }));
    }
}
