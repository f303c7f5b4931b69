using GraphQL.Validation;
using GraphQLParser.AST;

namespace Platform.Gateway.GraphQL.Protection;

/// <summary>Over GET only a query may run (GraphQL over HTTP: GET is safe); anything else is refused with 405.</summary>
public sealed class OnlyQueriesOverGet : ValidationRuleBase
{
    public const string Code = "METHOD_NOT_ALLOWED";
    public static readonly OnlyQueriesOverGet Instance = new();

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context) =>
        new(new MatchingNodeVisitor<GraphQLOperationDefinition>((operation, ctx) =>
        {
            if (operation == ctx.Operation && operation.Operation != OperationType.Query)
                ctx.ReportError(new ValidationError(ctx.Document.Source, "5.2", $"A {operation.Operation.ToString().ToLowerInvariant()} cannot be sent with GET; use POST.", operation) { Code = Code });
        }));
}
