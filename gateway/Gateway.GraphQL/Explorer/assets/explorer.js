// Starts GraphiQL (shipped with the gateway, no CDN) against this gateway's endpoint, sending the token the developer
// pasted. The token stays in this tab's sessionStorage only.
(function () {
  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint');
  var tokenInput = document.getElementById('token');
  tokenInput.value = sessionStorage.getItem('platform-graphql-token') || '';
  tokenInput.addEventListener('input', function () { sessionStorage.setItem('platform-graphql-token', tokenInput.value); });

  function fetcher(params) {
    var headers = { 'Content-Type': 'application/json', 'Accept': 'application/graphql-response+json' };
    if (tokenInput.value) headers.Authorization = 'Bearer ' + tokenInput.value.trim();
    return fetch(endpoint, { method: 'POST', headers: headers, body: JSON.stringify(params) })
      .then(function (response) {
        if (response.status === 401) return { errors: [{ message: 'The gateway refused the token (401): paste a valid one above.' }] };
        return response.json();
      });
  }

  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: '# Your trust\'s technologies and their evidence\nquery Technologies {\n  trust {\n    odsCode\n    technologies(first: 10) {\n      edges { node { name supplier evidence(first: 5) { totalCount } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n}\n',
  }));
})();
