using GraphQL.Validation;
using GraphQLParser.AST;

namespace Platform.Gateway.GraphQL.Protection;

/// <summary>
/// Refuses a document asking any connection for more than the page-size limit (through <c>first</c> or <c>last</c>,
/// literally or by a variable), before anything runs. It looks at the argument values GraphQL.NET has already
/// worked out with the variables, so a variable cannot slip past it.
/// </summary>
public sealed class PageSizeRule(GraphQLOptions options) : ValidationRuleBase
{
    public const string Code = "PAGE_SIZE_LIMIT";

    public override ValueTask<INodeVisitor?> GetPostNodeVisitorAsync(ValidationContext context) =>
        new(new MatchingNodeVisitor<GraphQLField>((field, ctx) =>
        {
            if (ctx.ArgumentValues is null || !ctx.ArgumentValues.TryGetValue(field, out var arguments)) return;
            foreach (var name in (string[])["first", "last"])
            {
                if (arguments.TryGetValue(name, out var value) && value.Value is int size && (size > options.MaxPageSize || size < 0))
                {
                    ctx.ReportError(new ValidationError(ctx.Document.Source, "5.6", // the spec's section on argument values
                        $"'{field.Name.StringValue}' asks for {size} items through '{name}'; a page holds 0 to {options.MaxPageSize}.", field)
                    { Code = Code });
                }
            }
        }));
}
