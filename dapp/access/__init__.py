"""Who is calling (ground floor): permissions and actors (R-ACC-5), and the authentication of API keys and
signed-in users. Every feature and the web kit stand on it; it imports only tables and the ground's helpers."""
