"""Problems composed from the lower layers: Na transport and mechanics."""
