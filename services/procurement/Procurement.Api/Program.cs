using Platform.Procurement.Api;

var app = ProcurementApp.Build(WebApplication.CreateBuilder(args));
app.Run();

public partial class Program;
