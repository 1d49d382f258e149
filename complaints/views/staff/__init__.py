"""The staff workspace. Every view here needs a signed-in member of staff
(LoginRequiredMiddleware); objects come only from scoped selectors."""
