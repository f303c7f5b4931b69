using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace Platform.Persistence;

/// <summary>
/// Column helpers for hand-written, provider-neutral migrations: a column declares its CLR type, length and
/// nullability, and each provider's SQL generator picks the store type (uuid / TEXT, timestamptz / TEXT, ...),
/// exactly as it would for the model.
/// </summary>
public static class SchemaColumns
{
    public static OperationBuilder<AddColumnOperation> Id(this ColumnsBuilder c) => c.Column<Guid>(nullable: false);

    public static OperationBuilder<AddColumnOperation> Tenant(this ColumnsBuilder c) => c.Column<string>(maxLength: 8, nullable: false);

    public static OperationBuilder<AddColumnOperation> Text(this ColumnsBuilder c, int? maxLength = null, bool nullable = false) =>
        c.Column<string>(maxLength: maxLength, nullable: nullable);

    public static OperationBuilder<AddColumnOperation> Instant(this ColumnsBuilder c, bool nullable = false) =>
        nullable ? c.Column<DateTime?>(nullable: true) : c.Column<DateTime>(nullable: false);
}
