-- Every table's content without ids, creation times or timings, sessions and files named by
-- their natural keys, sorted: two equal dumps mean equal data. Used by db_lib.sh's
-- dump_tables and by e2e_chaos.sh (run with psql -XAtq).
\echo == centre_usinage
SELECT nom, type_cu, description, actif FROM centre_usinage ORDER BY nom;
\echo == session_production
SELECT c.nom, s.date_production, s.heure_premiere_piece, s.heure_derniere_piece,
       s.heure_premier_machine_start, s.heure_dernier_machine_stop, s.total_pieces,
       s.duree_production_totale, s.temps_attente, s.temps_arret_volontaire,
       s.temps_production_effectif, s.taux_occupation, s.taux_attente,
       s.taux_arret_volontaire, s.fichier_log_source
  FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id ORDER BY 1, 2;
\echo == job_profil
SELECT c.nom, s.date_production, j.reference, j.longueur, j.couleur, j.timestamp_debut
  FROM job_profil j JOIN session_production s ON s.id = j.session_id
  JOIN centre_usinage c ON c.id = s.centre_usinage_id ORDER BY 1, 2, 6, 3, 4, 5;
\echo == periode_attente
SELECT c.nom, s.date_production, p.timestamp_debut, p.timestamp_fin, p.duree_secondes
  FROM periode_attente p JOIN session_production s ON s.id = p.session_id
  JOIN centre_usinage c ON c.id = s.centre_usinage_id ORDER BY 1, 2, 3, 4, 5;
\echo == periode_arret
SELECT c.nom, s.date_production, p.timestamp_debut, p.timestamp_fin, p.duree_secondes
  FROM periode_arret p JOIN session_production s ON s.id = p.session_id
  JOIN centre_usinage c ON c.id = s.centre_usinage_id ORDER BY 1, 2, 3, 4, 5;
\echo == periode_etat
SELECT c.nom, s.date_production, p.etat, p.debut, p.fin
  FROM periode_etat p JOIN session_production s ON s.id = p.session_id
  JOIN centre_usinage c ON c.id = s.centre_usinage_id ORDER BY 1, 2, 4;
\echo == piece_production
SELECT c.nom, s.date_production, p.numero_piece, p.timestamp_production, p.details
  FROM piece_production p JOIN session_production s ON s.id = p.session_id
  JOIN centre_usinage c ON c.id = s.centre_usinage_id ORDER BY 1, 2, 3;
\echo == fichier_log
SELECT f.chemin, c.nom, f.taille, f.mtime, f.empreinte, f.statut, f.lignes, f.evenements,
       f.lignes_rejetees, f.message
  FROM fichier_log f LEFT JOIN centre_usinage c ON c.id = f.centre_usinage_id ORDER BY 1;
\echo == ligne_rejetee
SELECT f.chemin, r.numero_ligne, r.contenu, r.raison
  FROM ligne_rejetee r JOIN fichier_log f ON f.id = r.fichier_id ORDER BY 1, 2;
