DROP INDEX dashboard_widgets_saved_query;
DROP TABLE dashboard_widgets;
DROP TABLE dashboards;
DROP TABLE saved_queries;
