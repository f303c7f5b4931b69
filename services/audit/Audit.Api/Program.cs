using Platform.Audit.Api;

var app = AuditApp.Build(WebApplication.CreateBuilder(args));
app.Run();

public partial class Program;
